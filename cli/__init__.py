"""The ``padron`` command line: typer only, one module per command group, one error handler.

Each command reads its settings, calls one library function and prints the result; the library
(``geo``, ``boundaries``, ``devtools``) never prints.
"""
