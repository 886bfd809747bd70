# CI's install check (tools/check_wheel.sh): the project's two-mentor
# COCO-sample recipe, read from the installed wheel by prefix (it inherits
# mmpose::_base_/default_runtime.py by prefix in turn), with two of its
# mentors, trained for a few iterations by MMPose's own tools/train.py.
# The mentors' files come from the script.
_base_ = ['classroomkd_mm::pose/samples/classroomkd_res18-c16-from-res18-c32-'
          'res18-c16-mbv2_1xb14-300it_coco-sample-64x48.py']

model = dict(mentors=dict(
    _delete_=True,
    res18_c32=dict(model=_base_.model.mentors.res18_c32.model,
                   checkpoint='mentors/res18_c32.pth'),
    mbv2_050=dict(model=_base_.model.mentors.mbv2_050.model,
                  checkpoint='mentors/mbv2_050.pth')))
train_cfg = dict(max_iters=2, val_interval=1)
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))

# the data folder tools/check_wheel.sh is given (environment variable)
data_root = '{{$CLASSROOMKD_CI_DATA:data}}/'
train_dataloader = dict(num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'test_coco.json')
test_evaluator = val_evaluator
