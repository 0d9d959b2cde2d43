"""A tiny run of `python -m companion.bench`, so the benchmark cannot rot unnoticed."""

from __future__ import annotations

from pathlib import Path

from companion import bench


def test_tiny_bench_produces_every_row_with_numbers(qapp, tmp_path: Path) -> None:
    """Every row of the table comes out with a number (or the chart's n/a)."""
    rows = bench.run(bench.SIZES["tiny"], tmp_path / "cache", open_sizes=["tiny"])
    names = [row.name for row in rows]
    for expected in (
        "start to first painted window",
        "  for context: an empty main window",
        "start to patient records open",
        "start to records open, 1,200 visits",
        "click vertebra → panel painted, p50",
        "click vertebra → panel painted, p95",
        "durable visit save (",
        "durable visit save, ",
        "note search",
        "open patient with",
        "chart redraw, 1,000 points",
        "patient search per keystroke",
        "longest GUI stall while another program holds the write lock",
        "longest GUI stall during a backup",
        "longest GUI stall during Check database",
        "resident memory at first paint",
        "resident memory with records open",
    ):
        assert any(name.startswith(expected) for name in names), expected
    for row in rows:
        if row.value is None:
            assert row.name.startswith("chart redraw") and "n/a" in row.note
            continue
        assert row.value > 0, row
        assert row.baseline is not None and row.baseline > 0, row
    table = bench.format_table(rows)
    assert table.count("\n") == len(rows) + 1


def test_scaling_table_has_a_number_in_every_column(tmp_path: Path) -> None:
    """--scaling's line for a clinic: every measure present and positive."""
    line = bench.scaling_row("tiny", tmp_path / "cache")
    assert line["visits"] == bench.OPEN_SIZES["tiny"].visits
    assert all(value > 0 for value in line.values()), line
    table = bench.format_scaling([line])
    assert table.count("\n") == 2 and "1,200" in table


def test_start_only_prints_the_start_rows(tmp_path: Path, capsys) -> None:
    """--start: the start-up and memory rows alone, from fresh processes."""
    code = bench.main(
        ["--size", "tiny", "--start", "--runs", "1", "--cache-dir", str(tmp_path)]
    )
    assert code == 0
    table = capsys.readouterr().out
    assert "start to first painted window" in table
    assert "resident memory with records open" in table
    assert "note search" not in table and "durable visit save" not in table
