"""The ground floor: what every stage may use and which uses no stage.

errors (user-facing failures), sql (quoting constants into SQL), statistics (shared constants
and limits), settings (the one typed settings class of the CLI and the web app) and
cli_support (the options, error handling and progress display every command shares).
"""
