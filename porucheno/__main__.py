import sys

from porucheno.cli import main

sys.exit(main())
