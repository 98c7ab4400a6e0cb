"""Run the Order API simulator: `python load/demo_api.py --help` (logic in load/simulator/)."""

import sys

from simulator.cli import main

if __name__ == "__main__":
    sys.exit(main())
