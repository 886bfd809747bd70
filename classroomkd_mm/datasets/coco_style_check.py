"""The check every training and testing entry runs on a config's COCO-style
pose data before MMEngine's Runner starts.

mmpose's ``CocoDataset`` (and every dataset that reads COCO's JSON with
mmpose's ``BaseCocoStyleDataset`` loader) fails late and vaguely on bad
data: an empty or truncated annotation file is a bare ``JSONDecodeError``,
a 0-byte image an OpenCV assertion mid-epoch, a keypoint list of the wrong
length an ``IndexError`` naming no annotation, a NaN box trains on blank
crops, and a box with no area inside its image silently drops the person.
:func:`check_coco_style_data` reads each annotation file once (no cache
survives the call: nothing can go stale) and names every problem by file,
image and annotation id, with the fix; when it passes it costs one log line,
which also says how many people the loader will use.

What is checked, per dataset of the ``train`` / ``val`` / ``test``
dataloaders (also inside dataset wrappers that hold ``dataset=`` or
``datasets=``, e.g. ``RepeatDataset``, ``ConcatDataset``, mmpose's
``CombinedDataset``) and per ``CocoMetric`` ``ann_file`` of the evaluators:

- the annotation file: present, a regular file, not empty, valid JSON, a
  COCO keypoint file (``images``, ``annotations`` lists; every annotation's
  ``image_id`` among the images);
- every listed image: present and non-empty, its first bytes a known image
  format (JPEG, PNG, BMP, GIF, TIFF, WebP);
- every person: ``bbox`` four finite numbers of non-negative size; a box
  with no area inside its image (which mmpose's loader drops) is reported,
  not refused; ``keypoints`` exactly ``3 x num_keypoints`` finite numbers
  (``num_keypoints`` of the dataset's metainfo);
- paths: a leading ``~`` in ``data_root``, ``ann_file``, ``data_prefix``,
  ``bbox_file`` and the evaluators' ``ann_file`` is expanded in the config
  (mmengine does not); a missing path that exists once a ``/`` is put back
  (``.../goodannotations/...``: a ``data_root`` without its trailing slash
  concatenated as a string) is named as such.
"""
import json
import math
import os.path as osp
from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

#: how many problems one error lists before it counts the rest
MAX_LISTED = 10
#: the first bytes of the image formats OpenCV decodes that COCO-style
#: datasets use
IMAGE_MAGIC = ((b'\xff\xd8\xff', 'JPEG'), (b'\x89PNG\r\n\x1a\n', 'PNG'),
               (b'BM', 'BMP'), (b'GIF87a', 'GIF'), (b'GIF89a', 'GIF'),
               (b'II*\x00', 'TIFF'), (b'MM\x00*', 'TIFF'))
#: dataloaders of each entry: training reads train and val, testing test
SPLITS = ('train', 'val', 'test')
#: what a one-annotation fix says
FIX_ANNOTATION = 'fix or remove that annotation in the file'
COCO_FORMAT = ('(COCO: bbox is [x, y, width, height] in pixels, keypoints '
               '[x1, y1, v1, x2, y2, v2, ...], 3 numbers per keypoint.)')


class DataCheckError(ValueError):
    """A config's data is missing, unreadable or malformed: the message names
    each problem by file, image and annotation id, with the fix."""


class MissingDataError(DataCheckError, FileNotFoundError):
    """A file or folder a config's data names does not exist."""


class CocoFileReport(NamedTuple):
    """What one annotation file holds for the loader."""
    ann_file: str
    images: int
    people: int        # annotations with keypoints, not crowd
    usable: int        # of those, what mmpose's top-down loader keeps
    dropped: Tuple[str, ...] = ()   # why each of people - usable goes


def expand_path(path):
    """``~`` expanded as a shell would; anything else as it is."""
    return osp.expanduser(path) if isinstance(path, str) else path


def missing_path_hint(path: str) -> str:
    """Why ``path`` (which does not exist) may be wrong: a ``~`` left
    unexpanded, or a folder name glued to the next one (a ``data_root``
    without its trailing ``/`` concatenated as a string)."""
    if path.startswith('~'):
        return (f' It starts with "~", which nothing expanded; write the '
                f'full path ({osp.expanduser(path)!r}).')
    head = ''
    parts = path.split('/')
    for i, part in enumerate(parts):
        for cut in range(1, len(part)):
            folder = head + part[:cut]
            repaired = '/'.join([folder, part[cut:], *parts[i + 1:]])
            if osp.isdir(folder) and osp.exists(repaired):
                return (f' {repaired!r} exists: a folder path without its '
                        f'trailing "/" ({folder!r}) was joined to '
                        f'{part[cut:]!r} as a string. End data_root with '
                        '"/", or give the full path of the file.')
        head += part + '/'
    return ''


def _require_file(path: str, what: str, fix: str) -> None:
    if not osp.exists(path):
        raise MissingDataError(f'{what} {path!r} does not exist.'
                               f'{missing_path_hint(path)} {fix}')
    if not osp.isfile(path):
        raise DataCheckError(f'{what} {path!r} is not a regular file (a '
                             f'folder or a device). {fix}')
    if osp.getsize(path) == 0:
        raise DataCheckError(f'{what} {path!r} is empty (0 bytes). {fix}')


def read_coco_json(path: str, fix: str) -> dict:
    """The COCO annotation dict in ``path``, or a :class:`DataCheckError`
    naming the file and what is wrong with it."""
    _require_file(path, 'Annotation file', fix)
    try:
        with open(path, 'rb') as f:
            coco = json.load(f)
    except (ValueError, UnicodeDecodeError) as error:
        raise DataCheckError(
            f'Annotation file {path!r} is not valid JSON, truncated or '
            f'corrupted ({type(error).__name__}: {error}). {fix}') from None
    if not isinstance(coco, dict) or not isinstance(
            coco.get('images'), list) or not isinstance(
                coco.get('annotations'), list):
        kind = type(coco).__name__ if not isinstance(coco, dict) else \
            'a dict with keys ' + str(sorted(coco)[:8])
        raise DataCheckError(
            f'Annotation file {path!r} is not a COCO keypoint annotation '
            f'file: it holds {kind}, not "images" and "annotations" lists. '
            f'{fix}')
    return coco


def image_problem(path: str) -> Optional[str]:
    """What is wrong with the image file ``path``, or None."""
    try:
        with open(path, 'rb') as f:
            head = f.read(16)
    except FileNotFoundError:
        return 'is missing'
    except OSError as error:
        return f'cannot be read ({error.strerror or error})'
    if not head:
        return 'is empty (0 bytes)'
    if head[:4] == b'RIFF' and head[8:12] == b'WEBP':
        return None
    if not any(head.startswith(magic) for magic, _ in IMAGE_MAGIC):
        return ('is no image OpenCV decodes (its first bytes are no JPEG, '
                'PNG, BMP, GIF, TIFF or WebP header)')
    return None


def _finite_numbers(values, length=None) -> bool:
    if not isinstance(values, list) or (length is not None
                                        and len(values) != length):
        return False
    return all(isinstance(v, (int, float)) and not isinstance(v, bool)
               and math.isfinite(v) for v in values)


def check_coco_file(ann_file: str, img_dir: Optional[str],
                    num_keypoints: Optional[int],
                    fix: str = '') -> CocoFileReport:
    """Check one COCO keypoint annotation file and the images it lists
    (under ``img_dir``; None: no image check); ``num_keypoints`` None skips
    the keypoint-length check. Raises :class:`DataCheckError` listing the
    problems (at most :data:`MAX_LISTED`, then a count)."""
    coco = read_coco_json(ann_file, fix)
    problems: List[str] = []
    missing = 0     # of the problems, images that are not there
    images: Dict[object, dict] = {}
    for image in coco['images']:
        if not isinstance(image, dict) or 'id' not in image or not \
                isinstance(image.get('file_name'), str):
            problems.append(f'{ann_file}: image entry {str(image)[:80]} has '
                            'no "id" and "file_name"; fix the entry')
            continue
        images[image['id']] = image
        if img_dir is not None:
            path = osp.join(img_dir, image['file_name'])
            why = image_problem(path)
            missing += why == 'is missing'
            if why:
                problems.append(
                    f'{ann_file}: image {image["file_name"]} (id '
                    f'{image["id"]}) at {path} {why}; copy the image there '
                    'again, or remove it and its annotations from the file')
    people = usable = 0
    dropped = []
    for ann in coco['annotations']:
        if not isinstance(ann, dict):
            problems.append(f'{ann_file}: annotation {str(ann)[:80]} is no '
                            'JSON object; remove it')
            continue
        ann_id = ann.get('id')
        image = images.get(ann.get('image_id'))
        if image is None:
            problems.append(f'{ann_file}: annotation {ann_id} names image_id '
                            f'{ann.get("image_id")!r}, which "images" does '
                            'not list; fix its image_id or remove it')
            continue
        where = f'{ann_file}: image {image["file_name"]}, annotation {ann_id}'
        if 'keypoints' not in ann or 'bbox' not in ann:
            continue  # mmpose's loader skips it: not a keypoint person
        keypoints, bbox = ann['keypoints'], ann['bbox']
        if num_keypoints is not None and not _finite_numbers(
                keypoints, 3 * num_keypoints):
            size = len(keypoints) if isinstance(keypoints, list) else \
                type(keypoints).__name__
            problems.append(
                f'{where}: keypoints has {size} values, not the '
                f'{3 * num_keypoints} finite numbers of {num_keypoints} '
                f'keypoints (x, y, v each) the dataset declares; '
                + FIX_ANNOTATION)
            continue
        if not _finite_numbers(bbox, 4):
            problems.append(f'{where}: bbox {str(bbox)[:80]} is not four '
                            'finite numbers; ' + FIX_ANNOTATION)
            continue
        if bbox[2] < 0 or bbox[3] < 0:
            problems.append(f'{where}: bbox {bbox} has a negative width or '
                            'height; ' + FIX_ANNOTATION)
            continue
        visible = ann['num_keypoints'] if 'num_keypoints' in ann else sum(
            1 for i in range(0, len(keypoints), 3)
            if max(keypoints[i:i + 2]) > 0)
        if ann.get('iscrowd') or not visible or not keypoints or max(
                v for i, v in enumerate(keypoints) if i % 3 != 2) <= 0:
            continue  # mmpose's top-down loader skips it, as COCO intends
        people += 1
        x, y, w, h = bbox
        width, height = image.get('width'), image.get('height')
        if isinstance(width, (int, float)) and isinstance(height,
                                                          (int, float)):
            # mmpose clips the box to [0, size - 1] and drops an empty one
            x1, x2 = (min(max(v, 0), width - 1) for v in (x, x + w))
            y1, y2 = (min(max(v, 0), height - 1) for v in (y, y + h))
            if x2 - x1 <= 0 or y2 - y1 <= 0:
                dropped.append(
                    f'annotation {ann_id} in {image["file_name"]}: bbox '
                    f'{bbox} has no area inside the {width}x{height} image')
                continue
        usable += 1
    if problems:
        listed = problems[:MAX_LISTED]
        more = len(problems) - len(listed)
        error = MissingDataError if missing == len(problems) else \
            DataCheckError
        raise error(
            f'{len(problems)} problem(s) in the data of {ann_file}:\n  - '
            + '\n  - '.join(listed)
            + (f'\n  ... and {more} more of the same kinds' if more else '')
            + (f'\n{COCO_FORMAT}' if any(FIX_ANNOTATION in p
                                         for p in problems) else '')
            + (f'\n{fix}' if fix else ''))
    return CocoFileReport(ann_file, len(images), people, usable,
                          tuple(dropped))


def _dataset_class(type_name, scope):
    """The dataset class a config's ``type`` names, looked up in mmpose's
    registry (None where mmpose is absent or the type is another scope's)."""
    if isinstance(type_name, type):
        return type_name
    if not isinstance(type_name, str) or (
            scope not in (None, 'mmpose') and '.' not in type_name):
        return None
    try:
        from mmpose.registry import DATASETS
        return DATASETS.get(type_name)
    except (KeyError, ImportError):
        return None


def _coco_reader(cls) -> Tuple[bool, bool]:
    """(reads COCO's JSON with mmpose's loader, parses keypoints as COCO's
    flat ``3 x K`` list) for dataset class ``cls``."""
    try:
        from mmpose.datasets.datasets.base import BaseCocoStyleDataset
    except ImportError:
        return False, False
    if not (isinstance(cls, type) and issubclass(cls, BaseCocoStyleDataset)):
        return False, False
    base = BaseCocoStyleDataset
    return (cls._load_annotations is base._load_annotations,
            cls.parse_data_info is base.parse_data_info)


def _num_keypoints(cls, metainfo) -> Optional[int]:
    """``num_keypoints`` of the dataset's metainfo (the config's, else the
    class's ``METAINFO``), read as mmpose's dataset reads it."""
    import copy
    import warnings

    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    meta = copy.deepcopy(dict(metainfo) if metainfo else cls.METAINFO)
    if not meta:
        return None
    with warnings.catch_warnings():
        # mmpose warns that it reads its own copy of a relative from_file;
        # the dataset itself says so when it is built
        warnings.simplefilter('ignore', UserWarning)
        return int(parse_pose_metainfo(meta)['num_keypoints'])


def _leaf_datasets(dataset_cfg, where) -> Iterable[Tuple[dict, str]]:
    """The dataset configs inside ``dataset_cfg`` (through wrappers)."""
    if not isinstance(dataset_cfg, dict):
        return
    if isinstance(dataset_cfg.get('dataset'), dict):
        yield from _leaf_datasets(dataset_cfg['dataset'], where + '.dataset')
    elif isinstance(dataset_cfg.get('datasets'), (list, tuple)):
        for i, inner in enumerate(dataset_cfg['datasets']):
            yield from _leaf_datasets(inner, f'{where}.datasets.{i}')
    else:
        yield dataset_cfg, where


def _expand_in_place(dataset_cfg) -> None:
    for key in ('data_root', 'ann_file', 'bbox_file'):
        if isinstance(dataset_cfg.get(key), str):
            dataset_cfg[key] = expand_path(dataset_cfg[key])
    prefix = dataset_cfg.get('data_prefix')
    if isinstance(prefix, dict):
        for key, value in prefix.items():
            prefix[key] = expand_path(value)


def _joined(root, path):
    """mmengine's ``BaseDataset._join_prefix``: ``os.path.join(root,
    path)`` for a relative path, so a root without its trailing ``/`` is
    fine there."""
    if not path or osp.isabs(path) or not root:
        return path
    return osp.join(root, path)


def check_coco_dataset(dataset_cfg: dict, where: str = 'dataset',
                       scope: Optional[str] = 'mmpose',
                       _seen: Optional[dict] = None
                       ) -> Optional[CocoFileReport]:
    """Check the data of one dataset config (``type``, ``data_root``,
    ``ann_file``, ``data_prefix``, ``metainfo``); ``~`` in its paths is
    expanded in place. Returns None for a dataset that does not read COCO's
    JSON (not checked)."""
    cls = _dataset_class(dataset_cfg.get('type'), scope)
    reads_coco, flat_keypoints = _coco_reader(cls)
    if not reads_coco:
        return None
    _expand_in_place(dataset_cfg)
    root = dataset_cfg.get('data_root') or ''
    ann_file = _joined(root, dataset_cfg.get('ann_file') or '')
    prefix = (dataset_cfg.get('data_prefix') or {}).get('img', '')
    # mmengine joins data_root to every relative data_prefix, an empty one
    # included (images beside the annotation file's root)
    img_dir = prefix if (osp.isabs(prefix) or not root) else \
        osp.join(root, prefix)
    fix = (f'(Read by {where}, a {cls.__name__} with data_root={root!r}, '
           f'ann_file={dataset_cfg.get("ann_file")!r}, data_prefix.img='
           f'{prefix!r}: fix the file, or point the config at a complete '
           'copy' + (f', e.g. --cfg-options {where}.data_root=/path/to/data'
                     if '_dataloader.' in where else '') + '.)')
    if not ann_file:
        raise DataCheckError(f'{where} ({cls.__name__}) has no ann_file. '
                             + fix)
    num_keypoints = None
    if flat_keypoints:
        try:
            num_keypoints = _num_keypoints(cls, dataset_cfg.get('metainfo'))
        except (OSError, KeyError, ValueError, TypeError) as error:
            raise DataCheckError(
                f'{where}: its metainfo {dataset_cfg.get("metainfo")!r} '
                f'cannot be read ({type(error).__name__}: {error}); give '
                "metainfo=dict(from_file='<dataset info .py>').") from None
    if dataset_cfg.get('bbox_file'):
        bbox_file = expand_path(dataset_cfg['bbox_file'])
        _require_file(bbox_file, 'Detection file (bbox_file)', fix)
    key = (osp.realpath(ann_file), img_dir and osp.realpath(img_dir),
           num_keypoints)
    if _seen is not None and key in _seen:
        return _seen[key]
    if img_dir and not osp.isdir(img_dir):
        if not osp.exists(img_dir):
            raise MissingDataError(
                f'Image folder {img_dir!r} does not exist.'
                f'{missing_path_hint(img_dir)} {fix}')
        raise DataCheckError(f'Image folder {img_dir!r} is not a folder. '
                             + fix)
    report = check_coco_file(ann_file, img_dir or '.', num_keypoints, fix)
    if _seen is not None:
        _seen[key] = report
    return report


def _evaluator_files(evaluator, where) -> List[Tuple[dict, str]]:
    """The ``CocoMetric`` configs of an evaluator with an ``ann_file``,
    and where each is."""
    if isinstance(evaluator, dict) and 'metrics' in evaluator:
        evaluator, where = evaluator['metrics'], where + '.metrics'
    if isinstance(evaluator, dict):
        metrics = [(evaluator, where)]
    elif isinstance(evaluator, (list, tuple)):
        metrics = [(m, f'{where}.{i}') for i, m in enumerate(evaluator)]
    else:
        return []
    return [(m, w) for m, w in metrics if isinstance(m, dict)
            and isinstance(m.get('ann_file'), str)
            and str(m.get('type', '')).split('.')[-1] == 'CocoMetric']


def check_coco_style_data(cfg, splits: Iterable[str] = SPLITS,
                          log: bool = True) -> List[CocoFileReport]:
    """Check every COCO-style dataset of the ``<split>_dataloader`` of
    ``cfg`` (an mmengine Config or dict) for ``split`` in ``splits`` and the
    ``ann_file`` of each ``<split>_evaluator`` ``CocoMetric``; ``~`` in their
    paths is expanded in ``cfg``. Logs one line (a warning when the loader
    will drop people) and returns the reports; raises
    :class:`DataCheckError` (:class:`MissingDataError` for a missing file)
    naming each problem by file, image and annotation id, with the fix.

    Training reads ``('train', 'val')``, testing ``('test', )``.
    """
    scope = cfg.get('default_scope')
    seen: dict = {}
    reports: List[CocoFileReport] = []
    for split in splits:
        loader = cfg.get(f'{split}_dataloader')
        if not isinstance(loader, dict):
            continue
        for dataset_cfg, where in _leaf_datasets(
                loader.get('dataset'), f'{split}_dataloader.dataset'):
            report = check_coco_dataset(dataset_cfg, where, scope, seen)
            if report is not None and report not in reports:
                reports.append(report)
        read = {osp.realpath(r.ann_file) for r in reports}
        for metric, where in _evaluator_files(cfg.get(f'{split}_evaluator'),
                                              f'{split}_evaluator'):
            metric['ann_file'] = path = expand_path(metric['ann_file'])
            if osp.realpath(path) not in read:
                read_coco_json(path, (
                    f'(The ann_file of {where} (CocoMetric), which scores '
                    'against it: give the full path of the annotation file '
                    'the dataset reads.)'))
    if log and reports:
        _log_reports(reports)
    return reports


def _log_reports(reports: List[CocoFileReport]) -> None:
    import logging

    from mmengine.logging import print_log
    dropped = [d for r in reports for d in r.dropped]
    parts = [f'{osp.basename(r.ann_file)}: {r.images} images, {r.usable} '
             f'of {r.people} people usable' for r in reports]
    line = 'COCO-style data check passed: ' + '; '.join(parts)
    if dropped:
        line += (f'. mmpose\'s loader drops {len(dropped)} people: '
                 + '; '.join(dropped[:MAX_LISTED])
                 + (f' and {len(dropped) - MAX_LISTED} more'
                    if len(dropped) > MAX_LISTED else '')
                 + ' (fix those boxes to train on them)')
    print_log(line, logger='current',
              level=logging.WARNING if dropped else logging.INFO)


def check_data_or_exit(cfg, splits: Iterable[str] = SPLITS) -> None:
    """:func:`check_coco_style_data` for command-line entries
    (``tools/train.py``, ``tools/test.py``): a :class:`DataCheckError`
    ends the process with its message and exit code 1, no traceback."""
    try:
        check_coco_style_data(cfg, splits)
    except DataCheckError as error:
        raise SystemExit(f'Data check failed: {error}') from None
