"""`python -m openpeel`: the same as the `openpeel` command."""

from openpeel.cli import run

run()
