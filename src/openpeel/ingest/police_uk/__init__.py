"""data.police.uk monthly street, outcome and stop-and-search files."""
