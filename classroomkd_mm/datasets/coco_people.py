"""COCO-style people with and without keypoint labels."""
import copy
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmpose.datasets import CocoDataset

from classroomkd_mm.registry import DATASETS

BOX_ONLY = ('drop', 'unlabelled')


@DATASETS.register_module()
class CocoPeopleDataset(CocoDataset):
    """mmpose's ``CocoDataset`` (top-down) that keeps people without
    keypoint labels as *unlabelled* samples: the mentors teach them, the
    student's task loss and every error skip them (all keypoint weights 0;
    see :attr:`ClassroomEvidence.unlabelled`).

    Args:
        box_only_people (str): people annotated with a box but no keypoint
            (``num_keypoints == 0``, not crowd, a box of positive size; 86 of
            COCO-MINI's train2017 annotations): ``'drop'`` (mmpose's
            behaviour) or ``'unlabelled'``.
        labelled_people (int or list of int, optional): keep the keypoint
            labels of only this many people with keypoints, drawn with
            ``labelled_seed`` (a draw of the labelled set), or of the people
            with these annotation ids; the others become unlabelled (their
            boxes stay). ``None`` keeps every label.
        labelled_seed (int): the draw's seed (``numpy.random.default_rng``
            over the sorted annotation ids).

    Everything else is ``CocoDataset``'s.
    """

    def __init__(self, *args, box_only_people: str = 'drop',
                 labelled_people: Optional[Union[int, Sequence[int]]] = None,
                 labelled_seed: int = 0, **kwargs):
        if box_only_people not in BOX_ONLY:
            raise ValueError(f'CocoPeopleDataset: box_only_people='
                             f'{box_only_people!r} is not one of {BOX_ONLY}.')
        if labelled_people is not None and not (
                isinstance(labelled_people, int) and labelled_people >= 0
                or isinstance(labelled_people, (list, tuple))):
            raise ValueError(
                'CocoPeopleDataset: labelled_people must be None, an int >= 0 '
                'or a list of annotation ids, got '
                f'{labelled_people!r}.')
        self.box_only_people = box_only_people
        self.labelled_people = labelled_people
        self.labelled_seed = int(labelled_seed)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _is_box_only(data_info: Dict) -> bool:
        if data_info.get('iscrowd') or data_info.get('num_keypoints', 1):
            return False
        x1, y1, x2, y2 = data_info['bbox'][0]
        return x2 > x1 and y2 > y1

    def _labelled_ids(self, labelled: List[Dict]) -> set:
        ids = sorted(int(d['id']) for d in labelled)
        wanted = self.labelled_people
        if wanted is None:
            return set(ids)
        if isinstance(wanted, int):
            if wanted > len(ids):
                raise ValueError(
                    f'CocoPeopleDataset: labelled_people={wanted} but '
                    f'{self.ann_file} has {len(ids)} people with keypoints.')
            rng = np.random.default_rng(self.labelled_seed)
            return set(int(i) for i in rng.choice(ids, wanted, replace=False))
        unknown = sorted(set(int(i) for i in wanted) - set(ids))
        if unknown:
            raise ValueError(
                f'CocoPeopleDataset: labelled_people names annotation ids '
                f'{unknown[:8]} that are no person with keypoints in '
                f'{self.ann_file}.')
        return set(int(i) for i in wanted)

    def _get_topdown_data_infos(self, instance_list: List[Dict]
                                ) -> List[Dict]:
        labelled = [d for d in instance_list if self._is_valid_instance(d)]
        keep = self._labelled_ids(labelled)
        out = []
        for info in instance_list:
            if self._is_valid_instance(info):
                if int(info['id']) in keep:
                    out.append(info)
                    continue
            elif not (self.box_only_people == 'unlabelled'
                      and self._is_box_only(info)):
                continue
            info = copy.copy(info)
            info['keypoints_visible'] = np.zeros_like(
                info['keypoints_visible'])
            info['num_keypoints'] = 0
            out.append(info)
        return out
