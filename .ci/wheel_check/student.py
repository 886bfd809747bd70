# CI's install check (tools/check_wheel.sh): the plain student config the
# two-mentor recipe distils into, from the installed wheel by prefix, as a
# user evaluates the student with MMPose's own tools/test.py.
_base_ = ['classroomkd_mm::pose/samples/'
          'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py']
