from companion.app import main

raise SystemExit(main())
