"""Runs the schemathesis CLI (scripts/conformance) with one upstream bug worked around.

schemathesis 4.32.5 reads every string of a JSON response that starts with `http://` or
`https://` as a possible link (engine/observations.py, `_same_origin_path`) with
`urllib.parse.urlsplit`, which raises `ValueError: Invalid IPv6 URL` on a string such as
`https://[` -- a value the fuzzer itself sent in a company's `website` and the server
returned. The exception ends the whole run. Such a string is not a link to follow, so it is
treated as one.
"""

import sys

import schemathesis.engine.observations as observations
from schemathesis.cli import schemathesis

_same_origin_path = observations._same_origin_path


def _tolerant_same_origin_path(value, origin):
    try:
        return _same_origin_path(value, origin)
    except ValueError:
        return None


observations._same_origin_path = _tolerant_same_origin_path

if __name__ == "__main__":
    sys.argv[0] = "st"
    sys.exit(schemathesis())
