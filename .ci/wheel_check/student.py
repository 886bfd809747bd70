# CI's install check (tools/check_wheel.sh): the plain student config the
# two-mentor recipe distils into, from the installed wheel by prefix, as a
# user evaluates the student with MMPose's own tools/test.py.
_base_ = ['classroomkd_mm::pose/samples/'
          'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py']

# the data folder tools/check_wheel.sh is given (environment variable)
data_root = '{{$CLASSROOMKD_CI_DATA:data}}/'
train_dataloader = dict(num_workers=0, persistent_workers=False,
                        dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'test_coco.json')
test_evaluator = val_evaluator
