from dapr_lint.cli import main

raise SystemExit(main())
