"""The site's pages, one module per section: home, producers, signals, gaps, changes, source.

Each page builder takes the Analysis and returns Markdown; `render.site` puts them together.
"""
