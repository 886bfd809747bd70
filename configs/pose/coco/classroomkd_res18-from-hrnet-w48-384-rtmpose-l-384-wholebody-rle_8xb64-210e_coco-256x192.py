# ClassroomKD with a heterogeneous classroom: a SimpleBaseline ResNet-18
# student (heatmaps, 256x192 crops, 64x48 heatmaps) learns on COCO from four
# mmpose model-zoo mentors that look nothing like it (COCO val2017 AP as
# mmpose reports them):
#   - HRNet-W48 at 384x288, heatmaps at 96x72               (76.7 AP)
#   - RTMPose-l at 384x288, SimCC head (AIC+COCO)           (77.3 AP)
#   - RTMPose-l whole-body at 256x192, SimCC, 133 keypoints (body 69.5 AP);
#     its first 17 keypoints are COCO's, in COCO's order
#   - SimpleBaseline ResNet-50 with RLE (regression + sigma) (70.6 AP)
# Each mentor sees the student's crop resized to its input size; its output
# is brought into the student's 64x48 heatmaps (docs/heterogeneous_classroom.md)
# before Knowledge Filtering ranks it, on the keypoints it shares with the
# student. The student and the recipe are those of the homogeneous
# ResNet-18 config this file inherits.
# What needs mmdet 3.x (the latest stack: tools/setup_env.sh latest): only the
# two RTMPose-l mentors' CSPNeXt backbones (mmdet's registry); the student,
# its pipeline and hooks, the HRNet and RLE mentors do not.
_base_ = ['./classroomkd_res18-from-hrnet-w48-w32-res50_8xb64-210e_coco-256x192.py']

model = dict(
    mentors=dict(
        _delete_=True,
        hrnet_w48_384=dict(
            config='mmpose::body_2d_keypoint/topdown_heatmap/coco/'
            'td-hm_hrnet-w48_8xb32-210e_coco-384x288.py',
            checkpoint='https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/'
            'topdown_heatmap/coco/'
            'td-hm_hrnet-w48_8xb32-210e_coco-384x288-c161b7de_20220915.pth'),
        rtmpose_l_384=dict(
            config='mmpose::body_2d_keypoint/rtmpose/coco/'
            'rtmpose-l_8xb256-420e_aic-coco-384x288.py',
            checkpoint='https://download.openmmlab.com/mmpose/v1/projects/rtmposev1/'
            'rtmpose-l_simcc-aic-coco_pt-aic-coco_420e-384x288-97d6cb0f_20230228.pth'),
        rtmpose_l_wholebody=dict(
            config='mmpose::wholebody_2d_keypoint/rtmpose/coco-wholebody/'
            'rtmpose-l_8xb64-270e_coco-wholebody-256x192.py',
            checkpoint='https://download.openmmlab.com/mmpose/v1/projects/rtmposev1/'
            'rtmpose-l_simcc-coco-wholebody_pt-aic-coco_270e-256x192-6f206314_20230124.pth',
            keypoint_mapping=[(i, i) for i in range(17)]),
        rle_res50=dict(
            config='mmpose::body_2d_keypoint/topdown_regression/coco/'
            'td-reg_res50_rle-8xb64-210e_coco-256x192.py',
            checkpoint='https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/'
            'topdown_regression/coco/'
            'td-reg_res50_rle-8xb64-210e_coco-256x192-d37efd64_20220913.pth'),
    ))
