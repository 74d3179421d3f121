"""layerflow: audit an architecture signal registry and publish it as a docs site."""

# The one place the version is written. setuptools reads this literal at build time (pyproject.toml's
# `dynamic = ["version"]`), so the distribution's metadata is derived from it; the CLI prints it from here, which
# stays right in a checkout that is not installed and costs no metadata lookup at import.
__version__ = "0.1.0"
