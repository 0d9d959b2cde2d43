"""Sample clinics: a small, fictional demo for new users and a large one for benchmarks.

No Qt here. The demo clinic goes through the store's normal API; the large clinic
inserts in big transactions straight into the same tables, so the note search index
is kept by the schema's own triggers exactly as for a saved note.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from companion.core import spine
from companion.core.records import MECHANISMS, Patient
from companion.store import Store, open_store
from companion.store.cipher import WrongKey
from companion.store.keys import keyinfo_path
from companion.store.patients import rebuild_search_keys
from companion.store.transaction import write_transaction

DEMO_PREFIX = "DEMO-"
LARGE_PREFIX = "LOAD-"
DEMO_WEEKS = 8

# -- the demo clinic ----------------------------------------------------------

# The demo clinic's database key, fixed and published here on purpose: its
# patients are fictional, so a passphrase or a keychain entry would protect
# nothing and only stand between a newcomer and a first look. The file is
# still encrypted, so the demo runs the same code as a real clinic. Never use
# it for real records: anyone can read this line.
DEMO_KEY = hashlib.sha256(b"Spine Companion demo clinic: fictional data only").digest()


def open_demo_store(db_path: Path, backup_dir: Path | None = None) -> Store:
    """Open the demo clinic with DEMO_KEY, filling it on first use.

    A demo folder from an older version, encrypted with a keychain key or a
    passphrase, does not open with DEMO_KEY: its files are renamed aside
    (<name>.old-key-<stamp>, nothing deleted) and a fresh demo is built.
    """
    try:
        store = open_store(db_path, backup_dir=backup_dir, key=DEMO_KEY)
    except WrongKey:
        _set_aside_old_demo(db_path)
        store = open_store(db_path, backup_dir=backup_dir, key=DEMO_KEY)
    try:
        build_demo_clinic(store)  # adds nothing when the patients are there
    except BaseException:
        store.close()
        raise
    return store


def _set_aside_old_demo(db_path: Path) -> None:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        path = db_path.with_name(db_path.name + suffix)
        if path.exists():
            os.replace(path, path.with_name(f"{db_path.name}.old-key-{stamp}{suffix}"))
    info = keyinfo_path(db_path)
    if info.exists():
        os.replace(info, info.with_name(f"{info.name}.old-key-{stamp}"))

_SCREENED = (
    "trauma",
    "cauda_equina",
    "neuro_deficit",
    "cancer",
    "infection",
    "osteoporosis",
)


@dataclass(frozen=True)
class _Case:
    """One fictional patient's story, told as visits over eight weeks."""

    chart: str
    initials: str
    language: str
    region: str
    levels: tuple[str, ...]
    mechanism: str
    pains: tuple[int, ...]  # pain 0–10 at each weekly visit, first to last
    given: tuple[str, ...]
    recommended: tuple[str, ...]
    complaint: str
    exam: str
    present_flag: str | None = None
    psfs_activities: tuple[str, ...] = ()


_CASES: tuple[_Case, ...] = (
    _Case(
        "DEMO-001",
        "J.R.",
        "en",
        "lumbar",
        ("L4", "L5"),
        "lifting",
        (8, 7, 6, 5, 4, 3, 3, 2),
        ("heat", "manipulation", "exercise_therapy"),
        ("stay_active", "heat"),
        "Sharp low back pain after lifting a garden planter; worse bending forward, "
        "eases lying on the side with knees bent. No leg pain, no numbness.",
        "Guarded lumbar flexion to mid-shin. Bilateral erector spinae hypertonicity, "
        "right more than left, tender at L4–L5. SLR negative both sides. Reflexes "
        "and dermatomes L2–S1 intact.",
        psfs_activities=("Bending to tie shoes", "Sitting 30 minutes", "Gardening"),
    ),
    _Case(
        "DEMO-002",
        "M.G.",
        "es",
        "cervical",
        ("C5", "C6"),
        "sleeping_position",
        (6, 6, 6, 5, 6, 6, 5, 6),
        ("massage", "heat"),
        ("exercise_therapy", "stay_active"),
        "Woke with a stiff, painful neck on the left; cannot check the blind spot "
        "when driving. Prefers Spanish for home instructions.",
        "Left upper trapezius and levator scapulae in spasm with taut bands. Cervical "
        "rotation left 45°, right 70°. Spurling negative. Upper limb strength, "
        "reflexes and sensation normal.",
    ),
    _Case(
        "DEMO-003",
        "A.T.",
        "en",
        "thoracic",
        ("T6", "T7"),
        "sport",
        (7, 6, 4, 3, 2, 2, 1, 1),
        ("manipulation", "ice"),
        ("exercise_therapy",),
        "Mid-back pain between the shoulder blades after a rowing session; catches "
        "on deep breath and twisting.",
        "Rhomboid and middle trapezius tenderness at T6–T7, right side. Pain on "
        "resisted scapular retraction. Rib springing comfortable. No chest wall "
        "swelling; breathing unlaboured.",
        psfs_activities=("Rowing", "Reaching overhead", "Sleeping on the back"),
    ),
    _Case(
        "DEMO-004",
        "R.P.",
        "es",
        "lumbar",
        ("L3", "L4", "L5"),
        "car_accident",
        (7, 7, 7, 6, 7, 7, 6, 7),
        ("heat", "stay_active"),
        ("exercise_therapy", "massage"),
        "Rear-ended at low speed two days ago; low back ache with spasm, no head "
        "strike. Worried about going back to lifting at work.",
        "Paraspinal spasm L3–L5 both sides, quadratus lumborum tender on the left. "
        "Neurological screen normal. Imaging guidelines reviewed after the collision.",
        present_flag="trauma",
    ),
    _Case(
        "DEMO-005",
        "K.O.",
        "en",
        "cervical",
        ("C2", "C3"),
        "everyday_strain",
        (5, 4, 4, 3, 3, 2, 2, 2),
        ("massage", "exercise_therapy"),
        ("stay_active", "heat"),
        "Neck and suboccipital ache building through long days at a laptop; "
        "tension-type headaches twice a week.",
        "Forward head posture. Splenius and upper trapezius tender, suboccipital "
        "trigger points reproduce the headache. Cervical range full but end-range "
        "painful in extension. Cranial nerve screen normal.",
        psfs_activities=("Computer work", "Reading", "Driving"),
    ),
    _Case(
        "DEMO-006",
        "L.M.",
        "en",
        "sacral",
        ("S1",),
        "fall",
        (6, 5, 5, 4, 4, 3, 3, 3),
        ("ice", "stay_active"),
        ("aquatic_exercise",),
        "Slipped on ice and landed on the buttocks; sacral and low back pain when "
        "sitting and rising from a chair.",
        "Tender over the sacrum and sacroiliac joints, erector spinae guarding at "
        "the lumbosacral junction. No saddle numbness, bladder and bowel normal. "
        "Fracture risk factors screened.",
    ),
)

_PLAN_LINES = {
    "improving": (
        "Progress home exercises; keep walking daily. Review in one week.",
        "Pain settling as expected; taper visits. Reassess function next week.",
    ),
    "flat": (
        "No meaningful change yet; continue conservative care and review the plan "
        "at the four-to-six-week mark (imaging or referral if still no better).",
        "Still no clear improvement: discuss referral options at the next visit.",
    ),
}


def _demo_text(case: _Case, week: int, pain: int, trend: str) -> dict[str, str]:
    """The four SOAP sections of one demo visit, a little different each week."""
    if week == 0:
        subjective = f"{case.complaint} Pain today {pain}/10."
    else:
        subjective = (
            f"Week {week + 1}. Pain today {pain}/10 "
            f"({'better' if trend == 'improving' else 'about the same'} than last "
            "visit). Doing the home exercises most days; sleep "
            f"{'improving' if trend == 'improving' else 'still broken by pain'}."
        )
    where = ", ".join(case.levels)
    objective = case.exam if week == 0 else (
        f"Re-examined {where}: "
        + ("less guarding, range improved. " if trend == "improving" else
           "guarding unchanged, range similar. ")
        + "Neurological screen unchanged and normal."
    )  # fmt: skip
    assessment = (
        f"Muscle spasm, {case.region} region, {where}; mechanism "
        f"{case.mechanism.replace('_', ' ')}. Red flags screened"
        + (f": {case.present_flag} present, handled per guideline." if
           case.present_flag else ", none present.")
    )  # fmt: skip
    plan_options = _PLAN_LINES[trend]
    plan = plan_options[week % len(plan_options)]
    return {"S": subjective, "O": objective, "A": assessment, "P": plan}


def _psfs(case: _Case, pain: int) -> tuple[tuple[str, int], ...]:
    # Function tracks pain loosely: lower pain, higher ability.
    return tuple(
        (activity, max(0, min(10, 10 - pain + offset)))
        for offset, activity in zip((0, -1, 1), case.psfs_activities, strict=False)
    )


def build_demo_clinic(store: Store, today: date | None = None) -> list[Patient]:
    """Add the fictional demo patients with eight weeks of visits; return them.

    Everything goes through the store's own API, so it is saved exactly as the app
    saves it. Calling it on a store that already has the demo patients adds nothing.
    """
    today = today or date.today()
    existing = {p.chart_number for p in store.find_patients(DEMO_PREFIX, limit=100)}
    made: list[Patient] = []
    for case in _CASES:
        if case.chart in existing:
            continue
        patient = store.create_patient(
            chart_number=case.chart,
            initials=case.initials,
            preferred_language=case.language,
        )
        made.append(patient)
        trend = "improving" if case.pains[-1] <= case.pains[0] - 3 else "flat"
        onset = today - timedelta(weeks=DEMO_WEEKS, days=2)
        for week, pain in enumerate(case.pains):
            visit_day = onset + timedelta(days=2 + 7 * week)
            if visit_day > today:
                break
            red_flags = {flag: "absent" for flag in _SCREENED}
            if case.region != "lumbar" and case.region != "sacral":
                red_flags.pop("cauda_equina")
            if case.present_flag:
                red_flags[case.present_flag] = "present"
            fields: dict[str, object] = {
                "onset_date": onset,
                "mechanism": case.mechanism,
                "pain": pain,
                "regions": [case.region],
                "levels": list(case.levels),
                "red_flags": red_flags,
                "treatments_given": list(case.given),
                "treatments_recommended": list(case.recommended),
                "follow_up": visit_day + timedelta(days=7),
            }
            if case.psfs_activities:
                fields["psfs"] = _psfs(case, pain)
            visit = store.start_visit(patient.id, visit_day, **fields)
            for section, text in _demo_text(case, week, pain, trend).items():
                store.save_note(visit.id, section, text)
            if week == 0:
                # A second revision, so the note history has something to show.
                store.save_note(
                    visit.id,
                    "P",
                    _demo_text(case, week, pain, trend)["P"]
                    + " Handout given in the patient's language.",
                )
    return made


# -- the large clinic (benchmarks) ---------------------------------------------

_COMPLAINTS = (
    "Low back pain with spasm after {mech}; worse with {aggr}, eased by {ease}.",
    "Neck stiffness and ache since {mech}; {aggr} aggravates, {ease} helps.",
    "Mid-back tightness between the shoulder blades following {mech}.",
    "Recurrent lumbar ache, flared after {mech}; morning stiffness under an hour.",
    "Pain across the {region} spine, intermittent, rated {pain}/10 at worst.",
    "Patient reports {pain}/10 pain, mostly with {aggr}; sleep disturbed twice.",
    "Stiffness on waking, loosens with movement; {ease} gives short relief.",
)
_MECH_WORDS = {
    "everyday_strain": "a long day of desk work",
    "lifting": "lifting boxes at work",
    "sleeping_position": "sleeping in an awkward position",
    "sport": "a weekend football game",
    "car_accident": "a low-speed car collision",
    "fall": "a fall on the stairs",
    "other": "no clear trigger",
}
_AGGRAVATING = (
    "bending forward",
    "prolonged sitting",
    "turning the head",
    "lifting children",
    "standing at the counter",
    "driving",
    "reaching overhead",
    "coughing and sneezing",
)
_EASING = (
    "heat",
    "gentle walking",
    "lying on the side",
    "stretching",
    "a warm shower",
    "changing position",
)
_FINDINGS = (
    "Paraspinal hypertonicity at {lv} with tenderness on palpation.",
    "Restricted and painful {motion} at end range; no peripheralisation.",
    "Trigger points in {muscle}, reproducing the familiar pain.",
    "Straight leg raise negative bilaterally; slump test negative.",
    "Spurling test negative; upper limb tension test unremarkable.",
    "Myotomes, dermatomes and reflexes intact in both limbs.",
    "Segmental hypomobility at {lv}; joint play reduced and tender.",
    "Posture: forward head, rounded shoulders, increased thoracic kyphosis.",
    "Gait normal; heel and toe walking without difficulty.",
    "Palpable taut band in {muscle}; local twitch response present.",
)
_MOTIONS = ("flexion", "extension", "left rotation", "right rotation", "side bending")
_MUSCLES = (
    "erector spinae",
    "multifidus",
    "quadratus lumborum",
    "upper trapezius",
    "levator scapulae",
    "rhomboids",
    "splenius capitis",
    "latissimus dorsi",
    "scalenes",
)
_ASSESSMENTS = (
    "Mechanical {region} pain with muscle spasm at {lv}; red flags screened, none.",
    "Acute {region} strain, improving as expected with conservative care.",
    "Subacute {region} pain, slower than expected; review at the six-week mark.",
    "Myofascial pain of {muscle}; no neurological signs.",
    "Recurrent episode of {region} spasm; prevention plan discussed.",
)
_PLANS = (
    "Manipulation at {lv}, soft tissue work to {muscle}. Home: heat and walking.",
    "Continue exercise therapy: core endurance and hip hinge practice daily.",
    "Ice for 15 minutes after activity for two days, then heat as preferred.",
    "Advised to stay active, avoid bed rest; graded return to usual duties.",
    "Review in one week; if no meaningful improvement by six weeks, refer.",
    "Workstation advice given: screen height, breaks every 30 minutes.",
    "Massage and stretching of {muscle}; handout provided in patient language.",
)
_REVISIT = (
    "Since last visit: {better}. Compliance with exercises {compliance}.",
    "Patient notes {better}; able to {activity} with less difficulty.",
    "Reports {better}. Still avoids {aggr} for now.",
)
_BETTER = (
    "pain somewhat better",
    "no real change",
    "clearly improved",
    "a setback after a long drive",
    "better mornings, worse evenings",
)
# The long tail a real clinic's notes have: each detail is in well under 1% of them.
_RARE_DETAILS = (
    "On warfarin; manipulation deferred, soft tissue only.",
    "History of Scheuermann kyphosis noted on old films.",
    "Works night shifts as a nurse; lifts patients.",
    "Pregnant, 24 weeks; side-lying positioning used.",
    "Previous L5-S1 microdiscectomy in 2019.",
    "Type 2 diabetes, monitor for slow healing.",
    "Osteopenia on last DEXA; gentle mobilisation only.",
    "Plays the cello three hours a day.",
    "Recent COVID-19 infection; deconditioned.",
    "Referred by physiotherapist after plateau.",
    "Carpenter, kneels on a hard floor most days.",
    "Long-haul truck driver, 10-hour shifts.",
    "Smoker, 10 a day; cessation advice given.",
    "Cyclist, 200 km a week; bike fit discussed.",
    "Recently started pregabalin from the GP.",
    "Scoliosis, right thoracic curve about 15 degrees.",
    "Hypermobile; Beighton score 6 of 9.",
    "Ankylosing spondylitis screen negative (HLA-B27 not done).",
    "Climber; pain on overhead reaching at the wall.",
    "Uses a standing desk since last month.",
)
_COMPLIANCE = ("good", "fair", "variable", "excellent")
_ACTIVITIES = ("work a full day", "sleep through", "drive", "garden", "lift shopping")


def _fill(template: str, rng: random.Random, ctx: dict[str, str]) -> str:
    values = dict(ctx)
    values.setdefault("aggr", rng.choice(_AGGRAVATING))
    values.setdefault("ease", rng.choice(_EASING))
    values["motion"] = rng.choice(_MOTIONS)
    values["muscle"] = rng.choice(_MUSCLES)
    values["better"] = rng.choice(_BETTER)
    values["compliance"] = rng.choice(_COMPLIANCE)
    values["activity"] = rng.choice(_ACTIVITIES)
    return template.format(**values)


def note_text(rng: random.Random, low: int = 300, high: int = 1500) -> str:
    """A clinic-like SOAP note of low–high characters, assembled from phrases."""
    mechanism = rng.choice(MECHANISMS)
    level = rng.choice(spine.LEVELS)
    ctx = {
        "mech": _MECH_WORDS[mechanism],
        "region": level.region.value,
        "lv": level.code,
        "pain": str(rng.randint(1, 9)),
    }
    target = rng.randint(low, high)
    parts = [
        "S: " + _fill(rng.choice(_COMPLAINTS), rng, ctx),
        _fill(rng.choice(_REVISIT), rng, ctx),
        "O: " + _fill(rng.choice(_FINDINGS), rng, ctx),
        "A: " + _fill(rng.choice(_ASSESSMENTS), rng, ctx),
        "P: " + _fill(rng.choice(_PLANS), rng, ctx),
    ]
    pools = (_FINDINGS, _PLANS, _REVISIT, _FINDINGS, _ASSESSMENTS)
    if rng.random() < 0.1:
        parts.insert(2, rng.choice(_RARE_DETAILS))
    text = " ".join(parts)
    while len(text) < target:
        text += " " + _fill(rng.choice(rng.choice(pools)), rng, ctx)
    if len(text) > high:
        text = text[: text.rfind(" ", 0, high)]
    return text


def _hex_id(rng: random.Random) -> str:
    # Same shape as the store's uuid4().hex ids, but reproducible from the seed.
    return f"{rng.getrandbits(128):032x}"


@dataclass(frozen=True)
class LargeClinic:
    """What build_large_clinic made: counts, and the busiest patient's id."""

    path: Path
    patients: int
    visits: int
    notes: int
    busy_patient_id: str
    busy_visits: int
    seconds: float


BUSY_VISITS = 500
_CHUNK = 5_000


def _visit_counts(
    rng: random.Random, patients: int, visits: int, busy: int
) -> list[int]:
    """Visits per patient: the first has `busy`, the rest share what remains."""
    counts = [0] * patients
    counts[0] = min(busy, visits)
    rest = visits - counts[0]
    if patients > 1:
        for _ in range(rest):
            counts[rng.randrange(1, patients)] += 1
    else:
        counts[0] += rest
    return counts


def _visit_rows(
    rng: random.Random, patient_ids: Sequence[str], counts: Sequence[int], start: date
) -> Iterator[tuple[object, ...]]:
    flags_pool = ("trauma", "neuro_deficit", "cancer", "infection", "osteoporosis")
    for patient_id, count in zip(patient_ids, counts, strict=True):
        day = start + timedelta(days=rng.randrange(0, 60))
        onset = day - timedelta(days=rng.randrange(1, 20))
        for _ in range(count):
            level = rng.choice(spine.LEVELS)
            stamp = datetime.combine(day, datetime.min.time(), UTC).isoformat(
                timespec="microseconds"
            )
            flags = {f: "absent" for f in rng.sample(flags_pool, 3)}
            yield (
                _hex_id(rng),
                patient_id,
                day.isoformat(),
                onset.isoformat(),
                rng.choice(MECHANISMS),
                rng.randint(0, 10),
                json.dumps([level.region.value]),
                json.dumps([level.code]),
                json.dumps(flags),
                json.dumps(rng.sample(("heat", "ice", "manipulation", "massage"), 2)),
                json.dumps(["stay_active"]),
                None,
                stamp,
                stamp,
            )
            day += timedelta(days=rng.randint(2, 14))


def build_large_clinic(
    path: Path | str,
    patients: int = 10_000,
    visits: int = 100_000,
    seed: int = 1,
    *,
    busy_visits: int = BUSY_VISITS,
    key: bytes | None = None,
) -> LargeClinic:
    """Create a new database at path with generated patients, visits and notes.

    One note (300–1,500 characters) per visit. The first patient has busy_visits
    visits. Rows go in through big transactions on the store's own connection;
    the note search index is filled by the schema's triggers, as for any save.
    With a key the file is encrypted, as the app keeps its database.
    """
    began = time.perf_counter()
    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; the large clinic needs a new file")
    rng = random.Random(seed)
    store = open_store(path, key=key) if key else open_store(path)
    try:
        conn = store.conn
        created = datetime(2024, 1, 1, tzinfo=UTC).isoformat(timespec="microseconds")
        patient_ids = [_hex_id(rng) for _ in range(patients)]
        with write_transaction(conn, path):
            conn.executemany(
                "INSERT INTO patients (id, chart_number, initials, display_name,"
                " preferred_language, created) VALUES (?, ?, ?, '', ?, ?)",
                (
                    (
                        pid,
                        f"{LARGE_PREFIX}{n:06d}",
                        rng.choice("ABCDEFGHJKLMNPRST") + rng.choice("ABCDEGHLMRST"),
                        "es" if rng.random() < 0.3 else "en",
                        created,
                    )
                    for n, pid in enumerate(patient_ids)
                ),
            )
            # Plain INSERTs skip the store's patient search keys: fill them here.
            rebuild_search_keys(conn)
        counts = _visit_counts(rng, patients, visits, busy_visits)
        rows = _visit_rows(rng, patient_ids, counts, date(2024, 1, 1))
        notes = 0
        while True:
            chunk = [row for _, row in zip(range(_CHUNK), rows, strict=False)]
            if not chunk:
                break
            with write_transaction(conn, path):
                conn.executemany(
                    "INSERT INTO visits (id, patient_id, visit_date, onset_date,"
                    " mechanism, pain, regions, levels, red_flags, treatments_given,"
                    " treatments_recommended, follow_up, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    chunk,
                )
                # Through the table, not the index: its trigger indexes each note.
                conn.executemany(
                    "INSERT INTO note_revisions"
                    " (id, visit_id, section, text, revision, created)"
                    " VALUES (?, ?, ?, ?, 1, ?)",
                    [
                        (_hex_id(rng), row[0], "S", note_text(rng), row[12])
                        for row in chunk
                    ],
                )
            notes += len(chunk)
        conn.execute("PRAGMA optimize")
    finally:
        store.close()
    return LargeClinic(
        path=path,
        patients=patients,
        visits=sum(counts),
        notes=notes,
        busy_patient_id=patient_ids[0],
        busy_visits=counts[0],
        seconds=time.perf_counter() - began,
    )
