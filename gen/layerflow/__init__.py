"""layerflow: audit an architecture signal registry and publish it as a docs site."""

__version__ = "0.1.0"
