"""Reading a distiller's mentors in tests through the classroom's public
API."""
import torch.nn as nn


def mentors_of(model) -> nn.ModuleDict:
    """The distiller's (or a Classroom's) held mentor modules as one
    ModuleDict (a view: the modules are the classroom's own)."""
    classroom = getattr(model, 'classroom', model)
    view = nn.ModuleDict(classroom.mentors())
    view.training = False  # the view's own flag; the mentors keep theirs
    return view
