"""The method table every benchmark spec shares: ClassroomKD, the baselines
and ClassroomKD's ablations, from one classroom and two temperature
settings. A spec names it with ``standard_methods = dict(...)`` and adds or
overrides methods in ``methods``."""
from typing import Dict, List, Optional


def standard_methods(classroom: List[str], baseline_mentoring: dict,
                     classroomkd_mentoring: dict,
                     ablation_seeds: Optional[List[int]] = None,
                     strong: Optional[List[str]] = None,
                     weak: Optional[List[str]] = None,
                     knowledge_filter: Optional[dict] = None,
                     groups: Optional[List[str]] = None
                     ) -> Dict[str, dict]:
    """The methods, by group:

    - ``main``: ``nokd``, ``kd`` (the best mentor), ``aver``, ``camkd``,
      ``ebkd``, ``dgkd`` (one mentor dropped per iteration), each at the
      fixed temperature of ``baseline_mentoring``, and ``classroomkd`` (the
      Knowledge Filter with ``classroomkd_mentoring``'s gap temperatures);
    - ``ablations``: ``kf_only`` (filter, fixed temperature),
      ``mentoring_only`` (every mentor, gap temperatures) and
      ``classroomkd_batch`` (batch granularity);
    - ``classroom size``: ``classroomkd_m<k>``, the first ``k`` mentors of
      ``classroom`` for ``k < len(classroom)``;
    - ``mentor quality``: ``classroomkd_strong`` and ``classroomkd_weak``
      from the ``strong`` and ``weak`` classrooms, if given.

    Every method outside ``main`` runs ``ablation_seeds`` (default: the
    spec's seeds). ``groups`` keeps only the methods of those groups
    (default: every group).
    """
    kf = knowledge_filter or dict(type='KnowledgeFilter',
                                  granularity='sample', weight_norm='active')
    classroom = list(classroom)
    fixed, gap = dict(baseline_mentoring), dict(classroomkd_mentoring)
    few = {} if ablation_seeds is None else dict(seeds=list(ablation_seeds))

    def baseline(policy):
        return dict(mentors=classroom, policy=policy, mentoring=fixed)

    def classroomkd(group, mentors=classroom, policy=kf, mentoring=gap):
        return dict(group=group, mentors=list(mentors), policy=policy,
                    mentoring=mentoring, **few)

    methods = dict(
        nokd=dict(mentors=[]),
        kd=dict(mentors='best', policy=dict(type='SingleMentorKD'),
                mentoring=fixed),
        aver=baseline(dict(type='AverageMentors')),
        camkd=baseline(dict(type='CAMKD')),
        ebkd=baseline(dict(type='EntropyWeighted')),
        dgkd=baseline(dict(type='RandomMentorDrop', drop_num=1)),
        classroomkd=dict(mentors=classroom, policy=kf, mentoring=gap),
        kf_only=classroomkd('ablations', policy=dict(type='KFOnly'),
                            mentoring=fixed),
        mentoring_only=classroomkd('ablations',
                                   policy=dict(type='MentoringOnly')),
        classroomkd_batch=classroomkd('ablations',
                                      policy=dict(kf, granularity='batch')),
    )
    for k in range(1, len(classroom)):
        methods[f'classroomkd_m{k}'] = classroomkd('classroom size',
                                                   classroom[:k])
    if strong:
        methods['classroomkd_strong'] = classroomkd('mentor quality', strong)
    if weak:
        methods['classroomkd_weak'] = classroomkd('mentor quality', weak)
    if groups is not None:
        known = {m.get('group', 'main') for m in methods.values()}
        unknown = sorted(set(groups) - known)
        if unknown:
            raise ValueError(f'unknown groups {unknown}; this classroom has '
                             f'{sorted(known)}')
        methods = {name: m for name, m in methods.items()
                   if m.get('group', 'main') in groups}
    return methods
