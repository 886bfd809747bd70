"""A pickle payload for the checkpoint-security tests: unpickling a
:class:`Payload` runs ``touch <marker>``, so a test sees whether it ran."""
import os

#: the start of the safe loader's refusal message
REFUSED = 'Refused to load checkpoint'


class Payload:
    """Unpickling this runs ``touch <marker>``."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ('touch ' + self.marker, ))
