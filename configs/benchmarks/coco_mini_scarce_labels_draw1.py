# ./coco_mini_scarce_labels.py with another draw of the 20 labelled people
# (labelled_seed=1), for the student and the peer it trains.
_base_ = ['./coco_mini_scarce_labels.py']
name = 'coco_mini_scarce_labels_draw1'
work_dir = 'work_dirs/benchmarks/coco_mini_scarce_labels_draw1'
student_options = {'train_dataloader.dataset.labelled_seed': 1}
trainings = dict(simcc_r18c32_20=dict(
    options={'train_dataloader.dataset.labelled_seed': 1}))
prepare_data = dict(kwargs=dict(
    out=f'{work_dir}/pseudo_labels.json',
    options={'train_dataloader.dataset.labelled_seed': 1}))
methods = dict(pseudo=dict(options={
    'train_dataloader.dataset.ann_file': f'{work_dir}/pseudo_labels.json'}))
