"""`python -m layerflow`: the same CLI as the `layerflow` script, exiting with its code."""

from layerflow.adapters.cli import exit_now, main

if __name__ == "__main__":
    exit_now(main())
