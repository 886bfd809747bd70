# COCO-MINI (../shared/data/coco_mini, see its README.md): real COCO 2017
# people in COCO's own format, 80 train2017 images (86 people with
# keypoints) and 79 disjoint val2017 images (68 people with keypoints), read
# by mmpose's CocoDataset and scored by mmpose's CocoMetric on val2017 with
# the ground-truth person boxes (bbox_file=None, as mmpose's GT-box
# evaluation does), so every score is on people the model never saw.
#
# The files are read where they are, relative to the repository root (the
# current directory); never copied. Another location: override
#   train_dataloader.dataset.data_root, val_dataloader.dataset.data_root,
#   test_dataloader.dataset.data_root and val_/test_evaluator.0.ann_file
# (`python tools/dataset_converters/coco_mini.py ROOT --options` checks the
# copy and prints them; data_root needs no trailing "/", the evaluators'
# ann_file is a full path). tools/train.py and tools/test.py check the data
# before the Runner starts (docs/data_checks.md).
# A model config adds `pipeline` to both datasets (its codec's targets).
dataset_type = 'CocoDataset'
data_mode = 'topdown'
data_root = '../shared/data/coco_mini/'

train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='train2017/')))
val_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/person_keypoints_val2017.json',
        bbox_file=None,
        data_prefix=dict(img='val2017/'),
        test_mode=True))
test_dataloader = val_dataloader

# CocoMetric's OKS AP, and mmpose's PCKAccuracy at 0.2 of the person box
# (the share of visible keypoints within 0.2 * max(box w, h) of the truth):
# from scratch on 86 people, OKS AP is 0.0 at these sizes (no person reaches
# OKS 0.5), while PCK@0.2 still tells models apart.
val_evaluator = [
    dict(type='CocoMetric',
         ann_file=data_root + 'annotations/person_keypoints_val2017.json'),
    dict(type='PCKAccuracy', thr=0.2),
]
test_evaluator = val_evaluator
