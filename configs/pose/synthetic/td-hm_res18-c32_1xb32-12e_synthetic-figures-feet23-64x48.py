# ./td-hm_res18-c32_1xb32-12e_synthetic-figures-64x48.py (ResNet-18 at 1/2
# width, 64x48, heatmaps) predicting 23 keypoints: COCO's 17 and the 6 foot
# keypoints of COCO-WholeBody (its keypoints 0 to 22), on the SYNTHETIC
# figures with feet (the 23-keypoint annotation files; metainfo
# configs/_base_/datasets/synthetic_figures_feet.py, read by mmpose's
# CocoDataset and scored by its CocoMetric with COCO-WholeBody's foot
# sigmas). The larger-keypoint-set mentor of
# configs/benchmarks/pose_synthetic_heterogeneous.py (keypoint_mapping
# [(i, i) for i in range(17)]). Write the data first:
#   python tools/dataset_converters/synthetic_figures.py \
#       --out data/generated/synthetic_figures_feet --feet
_base_ = ['./td-hm_res18-c32_1xb32-12e_synthetic-figures-64x48.py']

model = dict(head=dict(out_channels=23))

data_root = 'data/generated/synthetic_figures_feet/'
train_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=dict(
            from_file='configs/_base_/datasets/synthetic_figures_feet.py'),
        ann_file='annotations/synthetic_figures_feet_train.json'))
val_dataloader = dict(
    dataset=dict(
        data_root=data_root,
        metainfo=dict(
            from_file='configs/_base_/datasets/synthetic_figures_feet.py'),
        ann_file='annotations/synthetic_figures_feet_val.json'))
test_dataloader = val_dataloader
val_evaluator = dict(
    ann_file=data_root + 'annotations/synthetic_figures_feet_val.json')
test_evaluator = val_evaluator
