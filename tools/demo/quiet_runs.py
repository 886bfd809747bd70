"""A quiet console for scripts that run many MMEngine Runners in one process.

Each Runner logs through an ``MMLogger`` with two handlers at one level: a
console ``StreamHandler`` (stdout) and a ``FileHandler`` writing
``work_dir/<timestamp>/<timestamp>.log``. Inside :func:`quiet_console`:

- every MMLogger's console handler passes errors, each distinct warning
  once, and the progress lines of MMEngine's ``LogProcessor``
  (``Epoch(train) [..]``, ``Iter(val) [..]``, ...: losses and metrics); the
  environment report, the config dump, the hook listing and every other
  message still go to each run's log file, at the run's own ``log_level``;
- a Python warning is printed the first time its (category, message) is
  shown and never again. Without this, some print once per run: MMEngine's
  ``is_installed`` reloads ``pkg_resources`` (setuptools warns on each
  import) for every ``mmpretrain::`` / ``mmpose::`` base a config names,
  and Python's once-per-location rule does not hold across runs because
  the per-module warning registries are cleared whenever code changes the
  warning filters (``warnings.catch_warnings`` does, on exit). The filters
  themselves are untouched: what is ignored stays ignored, what is an
  error stays an error.

The console handler is made inside ``Runner.__init__`` and the environment
and config are logged right after, so the filter is attached where the
handler is made (``MMLogger.__init__``, wrapped for the duration of the
context), and to the MMLoggers that already exist.
"""
import contextlib
import logging
import re
import warnings

from mmengine.logging import MMLogger

#: the start of a LogProcessor line: ``Epoch(train) [3][10/40]``,
#: ``Epoch(val) [3][5/5]``, ``Epoch(test) [5/5]``, ``Iter(train) [ 50/300]``
PROGRESS = re.compile(r'(Epoch|Iter)\((train|val|test)\)')


class ConsoleProgressFilter(logging.Filter):
    """Passes errors, each distinct warning the first time (across every
    logger it is attached to: MMEngine's own duplicate filter is per logger,
    so a warning every Runner logs, such as CheckpointHook's "FileClient"
    notice, would otherwise print once per run), and INFO records that are
    LogProcessor progress lines; drops the rest."""

    def __init__(self):
        super().__init__()
        self.warnings_shown = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.levelno >= logging.ERROR:
            return True
        if record.levelno >= logging.WARNING:
            if message in self.warnings_shown:
                return False
            self.warnings_shown.add(message)
            return True
        return PROGRESS.match(message) is not None


def console_handlers(logger: logging.Logger):
    """The logger's handlers that write to a stream other than a file."""
    return [h for h in logger.handlers
            if isinstance(h, logging.StreamHandler)
            and not isinstance(h, logging.FileHandler)]


@contextlib.contextmanager
def quiet_console():
    """Within this context, MMLoggers print only progress lines and
    warnings on the console, and each distinct warning is printed once; log
    files are unchanged. Restores everything on exit."""
    progress_only = ConsoleProgressFilter()
    filtered = []

    def attach(logger):
        for handler in console_handlers(logger):
            handler.addFilter(progress_only)
            filtered.append(handler)

    original_init = MMLogger.__init__

    def init_with_quiet_console(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        attach(self)

    shown = set()
    original_showwarning = warnings.showwarning

    def show_once(message, category, filename, lineno, file=None, line=None):
        key = (category, str(message))
        if key in shown:
            return
        shown.add(key)
        original_showwarning(message, category, filename, lineno, file, line)

    for logger in list(MMLogger._instance_dict.values()):
        attach(logger)
    MMLogger.__init__ = init_with_quiet_console
    warnings.showwarning = show_once
    try:
        yield
    finally:
        MMLogger.__init__ = original_init
        if warnings.showwarning is show_once:
            warnings.showwarning = original_showwarning
        for handler in filtered:
            handler.removeFilter(progress_only)
