"""Skipping a mentor's forward pass on the samples where it cannot matter.

Knowledge Filtering uses mentor ``m`` on sample ``i`` only where it does at
least as well as the student: ``a_m(i) = [e_m(i) <= e_s^m(i)]``. A frozen
mentor's error on a sample changes only with the sample's augmentation, so
the error measured the last time the sample was seen, ``c_m(i)``, predicts
it. Mentor ``m`` is skipped on sample ``i`` when::

    skip_m(i) = [c_m(i) finite] and [e_s^m(i) finite]
                and [(c_m(i) - e_s^m(i)) / score_scale > margin]
                and not probe_m(i)

(``e_s^m(i)`` is the student's error of this step, ``score_scale`` KF's), i.e.
when its cached score ``exp(-c_m / score_scale)`` is below ``exp(-margin)``
times the student's current one. A skipped pair is inactive in the plan: its
error is NaN (unusable), which with KF's ``granularity='sample'`` and
``weight_norm='active'`` gives exactly the plan of a present but inactive
mentor (the others' active weights are renormalised over the active ones).

Re-probing: on the ``v``-th visit of sample ``i`` (``v = 0, 1, ...``, about
one per epoch), mentor ``m`` is run whatever its cache says when::

    u_m(i, v) = frac(a * i + b * m + c * v + frac(d * seed)) < reprobe_fraction

with irrational ``a, b, c, d`` (a Weyl sequence: for fixed ``(i, m)`` the
visits probed are a ``reprobe_fraction`` share, and at a fixed visit so are
the samples). It is deterministic given the seed and the visit counts, which
the checkpoint holds, and draws nothing from the random generators.
"""
from typing import NamedTuple, Optional

import torch
from torch import Tensor

from ..setting_checks import check_number, options_from_dict

# Weyl-sequence steps: fractional parts of irrational numbers.
SAMPLE_STEP = 0.6180339887498949  # golden ratio - 1
MENTOR_STEP = 0.7548776662466927  # plastic number - 1
VISIT_STEP = 0.5698402909980532  # 1 / plastic number
SEED_STEP = 0.4142135623730951  # sqrt(2) - 1


class SkippingOptions(NamedTuple):
    """``mentor_skipping=dict(...)`` of :class:`ClassroomDistiller`.

    ``margin`` (>= 0): how much worse than the student, in KF's log-score
    units ``(e_m - e_s) / score_scale``, a mentor's cached error must be for
    it to be skipped (0: any worse, i.e. the pair was inactive against the
    student of this step); ``reprobe_fraction`` in ``[0, 1]``: the share of
    (sample, mentor) pairs run per epoch whatever the cache says; ``seed``:
    shifts which pairs those are.
    """
    margin: float = 1.0
    reprobe_fraction: float = 0.1
    seed: int = 0


def skipping_options(cfg: Optional[dict]) -> Optional[SkippingOptions]:
    """Validate ``mentor_skipping`` (None: skipping off)."""
    if cfg is None:
        return None
    options = options_from_dict('mentor_skipping', SkippingOptions, cfg,
                                'dict(margin=1.0, reprobe_fraction=0.1)')
    margin = check_number('mentor_skipping', 'margin', options.margin,
                          minimum=0)
    fraction = check_number('mentor_skipping', 'reprobe_fraction',
                            options.reprobe_fraction, minimum=0, maximum=1)
    if isinstance(options.seed, bool) or not isinstance(options.seed, int):
        raise ValueError('mentor_skipping: seed must be an int, got '
                         f'{options.seed!r}.')
    return SkippingOptions(margin, fraction, options.seed)


def check_skipping_policy(policy, feature_loss) -> None:
    """Refuse a setting where a skipped mentor would change more than its
    own (inactive) pairs of the plan."""
    from ..policies.knowledge_filter import KnowledgeFilter
    fix = ' Remove mentor_skipping, or '
    if type(policy) is not KnowledgeFilter:
        raise ValueError(
            'mentor_skipping is sound only with the KnowledgeFilter policy '
            '(ClassroomKD), which uses a mentor only where it beats the '
            f'student; the policy is {type(policy).__name__}, which uses '
            'mentors that do worse too.' + fix +
            "use policy=dict(type='KnowledgeFilter').")
    wrong = {k: v for k, v in (('granularity', policy.granularity),
                               ('weight_norm', policy.weight_norm),
                               ('round_decimals', policy.round_decimals))
             if v != {'granularity': 'sample', 'weight_norm': 'active',
                      'round_decimals': None}[k]}
    if wrong:
        raise ValueError(
            f'mentor_skipping needs KnowledgeFilter with granularity='
            "'sample', weight_norm='active' and round_decimals=None, got "
            f'{wrong}: with those, a skipped mentor changes the other '
            "mentors' decisions or weights (batch means, shares)." + fix +
            'set them to those values.')
    if getattr(feature_loss, 'weighting', None) == 'camkd':
        raise ValueError(
            "mentor_skipping cannot be combined with FeatureMSELoss("
            "weighting='camkd'): CA-MKD weighs every mentor's feature on "
            'every sample, so a skipped mentor would change the other '
            "mentors' weights." + fix + "use weighting='plan' (the plan's "
            'active pairs, which skipping leaves as they are).')


def reprobe_draws(sample_idx: Tensor, visits: Tensor, mentor: int,
                  seed: int) -> Tensor:
    """``(N,)`` float64 ``u_m(i, v)`` in ``[0, 1)`` for the samples
    ``sample_idx`` on their visits ``visits`` (see the module docstring)."""
    offset = (seed * SEED_STEP) % 1.0 + mentor * MENTOR_STEP
    u = (sample_idx.double() * SAMPLE_STEP + visits.double() * VISIT_STEP +
         offset)
    return torch.frac(u)


def skipped_pairs(cached_errors: Tensor, student_errors: Tensor,
                  score_scale, margin: float, probe: Tensor) -> Tensor:
    """``(N,)`` bool ``skip_m(i)`` for one mentor (module docstring).

    Args:
        cached_errors (Tensor): ``(N,)`` ``c_m(i)``, NaN where never
            measured.
        student_errors (Tensor): ``(N,)`` ``e_s^m(i)`` of this step.
        score_scale (float or Tensor): KF's score scale of this step.
        margin (float): the margin in log-score units.
        probe (Tensor): ``(N,)`` bool, run whatever the cache says.
    """
    known = torch.isfinite(cached_errors) & torch.isfinite(student_errors)
    behind = (cached_errors - student_errors) / score_scale > margin
    return known & behind & ~probe


def sample_indices(data_samples) -> list:
    """The dataset index ``sample_idx`` of every data sample (host ints), or
    a ValueError naming the fix."""
    indices = []
    for sample in data_samples:
        metainfo = getattr(sample, 'metainfo', None) or {}
        index = metainfo.get('sample_idx')
        if isinstance(index, bool) or not isinstance(index, int) \
                or index < 0:
            raise ValueError(
                'mentor_skipping keeps each mentor\'s last error per dataset '
                "sample, keyed by the data sample's `sample_idx` (MMEngine's "
                'BaseDataset sets it), but a data sample has '
                f'sample_idx={index!r}. mmpretrain\'s PackInputs keeps it by '
                "default; mmpose's PackPoseInputs does not: add it to its "
                "meta_keys, e.g. dict(type='PackPoseInputs', meta_keys=('id', "
                "'img_id', 'img_path', 'category_id', 'crowd_index', "
                "'ori_shape', 'img_shape', 'input_size', 'input_center', "
                "'input_scale', 'flip', 'flip_direction', 'flip_indices', "
                "'raw_ann_info', 'sample_idx')). Or remove mentor_skipping.")
        indices.append(index)
    return indices


def full_batch(outputs, rows: Tensor, size: int):
    """Outputs (a tensor or a tuple of tensors) of the sub-batch ``rows``
    placed at those rows of a zero batch of ``size`` samples."""
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(full_batch(o, rows, size) for o in outputs)
    full = outputs.new_zeros((size, *outputs.shape[1:]))
    return full.index_copy_(0, rows, outputs)


def no_samples(outputs):
    """Outputs (a tensor or a tuple of tensors) with zero samples: what
    :func:`full_batch` needs to make a zero batch of their shape."""
    if isinstance(outputs, (tuple, list)):
        return type(outputs)(no_samples(o) for o in outputs)
    return outputs[:0]
