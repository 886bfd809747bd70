from .adapters import *  # noqa: F401,F403
from .connectors import *  # noqa: F401,F403
from .distillers import *  # noqa: F401,F403
from .file_mentors import *  # noqa: F401,F403
from .losses import *  # noqa: F401,F403
from .policies import *  # noqa: F401,F403
