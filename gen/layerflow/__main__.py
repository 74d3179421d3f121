"""`python -m layerflow`: the same CLI as the `layerflow` script, exiting with its code."""

import sys

from layerflow.adapters.cli import main

if __name__ == "__main__":
    sys.exit(main())
