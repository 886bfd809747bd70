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

- the progress prints of the COCO API (xtcocotools / pycocotools, behind
  mmpose's ``CocoMetric``: "loading annotations into memory...", "index
  created!", the ``COCOeval`` summary, about 20 lines per evaluation) go to
  the current run's log file instead of the console; every other print
  (the script's own progress and tables) reaches the console unchanged.

The console handler is made inside ``Runner.__init__`` and the environment
and config are logged right after, so the filter is attached where the
handler is made (``MMLogger.__init__``, wrapped for the duration of the
context), and to the MMLoggers that already exist.

:func:`output_to_file` is the stricter form for a script whose console
shows only its own progress lines: everything a step prints or logs goes to
that step's log file.
"""
import contextlib
import logging
import os
import os.path as osp
import re
import sys
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


#: a whole line that xtcocotools' / pycocotools' COCO and COCOeval print
COCO_API_CHATTER = re.compile(
    r'(loading annotations into memory\.\.\.|creating index\.\.\.|'
    r'index created!|Loading and preparing results\.\.\.|'
    r'Running per image evaluation\.\.\.|'
    r'Evaluate annotation type \*\w+\*|'
    r'Accumulating evaluation results\.\.\.|'
    r'(Done|DONE) \(t=[0-9.]+s\)\.?|'
    r' Average (Precision|Recall) .*)\n?')


class CocoApiChatterToLog:
    """A text stream in front of ``stream``: whole lines of COCO API chatter
    are logged at INFO to the current MMLogger (so they land in the current
    run's log file; the console filter drops them), all other text passes
    through. ``active = False`` makes it a plain pass-through (for the
    handlers that still hold it after the context)."""

    def __init__(self, stream):
        self.stream = stream
        self.active = True
        self.pending = ''
        self.routing = False

    def write(self, text):
        if not self.active or self.routing:
            return self.stream.write(text)
        self.pending += text
        while '\n' in self.pending:
            line, self.pending = self.pending.split('\n', 1)
            self.route(line + '\n')
        return len(text)

    def route(self, line):
        if COCO_API_CHATTER.fullmatch(line) is None:
            self.stream.write(line)
            return
        self.routing = True
        try:
            MMLogger.get_current_instance().info(line.rstrip('\n'))
        finally:
            self.routing = False

    def flush(self):
        if self.pending:
            self.stream.write(self.pending)
            self.pending = ''
        self.stream.flush()

    def __getattr__(self, name):
        return getattr(self.stream, name)


def console_handlers(logger: logging.Logger):
    """The logger's handlers that write to a stream other than a file."""
    return [h for h in logger.handlers
            if isinstance(h, logging.StreamHandler)
            and not isinstance(h, logging.FileHandler)]


@contextlib.contextmanager
def quiet_console():
    """Within this context, MMLoggers print only progress lines, errors and
    each distinct warning once on the console, and the COCO API's prints go
    to the current run's log file; everything still reaches the log files.
    Restores everything on exit."""
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

    original_stdout = sys.stdout
    stdout = CocoApiChatterToLog(original_stdout)

    for logger in list(MMLogger._instance_dict.values()):
        attach(logger)
    MMLogger.__init__ = init_with_quiet_console
    warnings.showwarning = show_once
    sys.stdout = stdout
    try:
        yield
    finally:
        stdout.flush()
        stdout.active = False
        if sys.stdout is stdout:
            sys.stdout = original_stdout
        MMLogger.__init__ = original_init
        if warnings.showwarning is show_once:
            warnings.showwarning = original_showwarning
        for handler in filtered:
            handler.removeFilter(progress_only)


@contextlib.contextmanager
def output_to_file(log_file: str):
    """Send everything printed or logged to stdout and stderr (MMEngine's
    and mmpose's loggers made inside, xtcocotools' prints, warnings) to
    ``log_file`` instead of the console: for a script whose console shows
    only its own progress lines (it prints them to the saved console
    stream), with each step's full output in a file of its own."""
    os.makedirs(osp.dirname(log_file), exist_ok=True)
    with open(log_file, 'a') as f, contextlib.redirect_stdout(f), \
            contextlib.redirect_stderr(f):
        yield
