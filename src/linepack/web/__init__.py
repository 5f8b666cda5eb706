"""The local web application behind ``linepack serve`` (needs the extra: pip install 'linepack[web]').

Modules: ``app`` (Starlette routes and the JSON API), ``server`` (sockets, foreground and background
serving), ``service`` (known networks, solve pool, result cache), ``payload`` (what a solve returns, the
download files), ``geo`` (GeoJSON map layer), ``tables`` (result tables and profiles), ``uploads`` (checks
and parsing of uploaded files), ``static/`` (the page, vendored Leaflet, the offline base maps).
Nothing here is imported by ``import linepack``.
"""
