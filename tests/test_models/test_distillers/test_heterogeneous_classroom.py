"""Loss steps of distillers built from mmpose's own zoo configs with mentors
of other head families, input sizes and keypoint sets (tiny backbones; the
heads, codecs, input sizes and keypoint counts are the configs'): the
mentors are used where they should be, and nowhere else."""
import pytest
import torch
from mmengine.structures import InstanceData, PixelData
from tests.helpers.zoo_models import (COCO_FROM_WHOLEBODY, HRNET_256,
                                     HRNET_384, RLE, RTMPOSE_T, WHOLEBODY,
                                     classroom, zoo_model)
from tests.helpers.classroom_probes import mentors_of


def pose_batch(n=3, k=17, visible=None, seed=0):
    """Crops of 256x192 with the targets of both codecs (64x48 MSRA
    heatmaps, 384/512 SimCC bins)."""
    from mmpose.structures import PoseDataSample
    g = torch.Generator().manual_seed(seed)
    samples = []
    for i in range(n):
        d = PoseDataSample()
        d.gt_fields = PixelData(heatmaps=torch.rand(k, 64, 48, generator=g))
        w = torch.ones(1, k) if visible is None else visible[i:i + 1]
        d.gt_instance_labels = InstanceData(
            keypoint_weights=w,
            keypoint_x_labels=torch.rand(1, k, 384, generator=g),
            keypoint_y_labels=torch.rand(1, k, 512, generator=g))
        samples.append(d)
    return torch.randn(n, 3, 256, 192, generator=g), samples


def mixed_classroom(student, tmp_path, **kwargs):
    model = classroom(student, dict(
        rtmpose=(zoo_model(RTMPOSE_T), {}),
        hrnet384=(zoo_model(HRNET_384), {}),
        wholebody=(zoo_model(WHOLEBODY),
                   dict(keypoint_mapping=COCO_FROM_WHOLEBODY)),
        rle=(zoo_model(RLE), {})), tmp_path)
    for key, value in kwargs.items():
        setattr(model, key, value)
    return model


@pytest.mark.parametrize('student', [HRNET_256, RTMPOSE_T])
def test_mixed_classroom_trains_the_student(student, mmpose_scope, tmp_path):
    model = mixed_classroom(zoo_model(student), tmp_path)
    model.train()
    optimizer = torch.optim.SGD(model.student.parameters(), lr=0.01)
    visible = torch.ones(3, 17)
    visible[1, 5:] = 0
    inputs, samples = pose_batch(visible=visible)
    for _ in range(2):
        losses = model.loss(inputs, samples)
        assert all(torch.isfinite(v).all() for v in losses.values()), losses
        for name in ('rtmpose', 'hrnet384', 'wholebody', 'rle'):
            assert f'classroom.{name}.active_rate' in losses
        optimizer.zero_grad()
        sum(v for k, v in losses.items() if 'loss' in k).backward()
        assert all(p.grad is None for p in mentors_of(model).parameters())
        optimizer.step()


def student_output_grad(model, inputs, samples):
    """The gradient of the mentoring loss alone on the student's head
    outputs."""
    captured = []
    head = model.student.head
    forward = head.forward

    def recorded(feats):
        out = forward(feats)
        captured.append(out)
        return out

    head.forward = recorded
    losses = model.loss(inputs, samples)
    outputs = captured[0]
    tensors = outputs if isinstance(outputs, (tuple, list)) else (outputs, )
    return torch.autograd.grad(losses['distill.loss_mentoring'], tensors)


@pytest.mark.parametrize('student', [HRNET_256, RTMPOSE_T])
def test_an_unmapped_keypoint_gets_no_mentoring_gradient(student,
                                                         mmpose_scope,
                                                         tmp_path):
    # A whole-body mentor that maps only the first 11 COCO keypoints (face
    # and arms): the legs (11..16) get nothing from it.
    from classroomkd_mm.models.policies import AverageMentors
    model = classroom(zoo_model(student), dict(wholebody=(
        zoo_model(WHOLEBODY),
        dict(keypoint_mapping=[(i, i) for i in range(11)]))), tmp_path)
    model.policy = AverageMentors()  # always active: every keypoint it maps
    inputs, samples = pose_batch()
    for grad in student_output_grad(model, inputs, samples):
        assert (grad[:, 11:] == 0).all()
        assert (grad[:, :11] != 0).any(-1).all()


def test_bridging_makes_no_host_device_sync(mmpose_scope, tmp_path):
    from benchmarks.speed.sync_audit import count_host_syncs
    model = mixed_classroom(zoo_model(HRNET_256), tmp_path)
    inputs, _ = pose_batch()
    with torch.no_grad(), count_host_syncs() as counts:
        for name, mentor in mentors_of(model).items():
            model.classroom.bridge(name)(mentor, inputs)
    assert dict(counts) == {}


def test_the_mixed_step_syncs_no_more_than_a_homogeneous_one(mmpose_scope,
                                                             tmp_path):
    # mmpose's own acc_pose reads the heatmaps on the host (both cases);
    # bridging, partial keypoint sets and the ranking add nothing.
    from benchmarks.speed.sync_audit import count_host_syncs
    inputs, samples = pose_batch()
    counts = []
    for mentors in (dict(twin=(zoo_model(HRNET_256), {})),
                    dict(rtmpose=(zoo_model(RTMPOSE_T), {}),
                         upper=(zoo_model(WHOLEBODY), dict(
                             keypoint_mapping=[(i, i) for i in range(11)])),
                         rle=(zoo_model(RLE), {}))):
        model = classroom(zoo_model(HRNET_256), mentors, tmp_path)
        model.loss(inputs, samples)  # the runtime programs are built here
        with count_host_syncs() as c:
            model.loss(inputs, samples)
        counts.append(dict(c))
    assert counts[0] == counts[1]


def test_kf_compares_the_student_with_each_mentor_on_its_keypoints(
        mmpose_scope, tmp_path):
    # Two whole-body mentors: one maps every COCO keypoint, one only 0..10.
    # The policy sees the student's error per mentor: over all keypoints for
    # the first, over 0..10 for the second, each against the student's own
    # targets restricted the same way.
    from classroomkd_mm.models.adapters import heatmap_error
    from classroomkd_mm.models.policies import KnowledgeFilter
    model = classroom(zoo_model(HRNET_256), dict(
        full=(zoo_model(WHOLEBODY), dict(keypoint_mapping=COCO_FROM_WHOLEBODY)),
        upper=(zoo_model(WHOLEBODY),
               dict(keypoint_mapping=[(i, i) for i in range(11)]))),
        tmp_path)
    seen = []

    class Spy(KnowledgeFilter):
        def __call__(self, evidence):
            seen.append(evidence)
            return super().__call__(evidence)

    model.policy = Spy()
    visible = torch.ones(3, 17)
    visible[2, :11] = 0  # sample 2: only legs visible, none shared with upper
    inputs, samples = pose_batch(visible=visible)
    model.loss(inputs, samples)
    evidence = seen[0]
    student = evidence.student
    targets = evidence.targets
    mask = torch.zeros(17)
    mask[:11] = 1
    paired = evidence.paired_student_errors
    assert torch.equal(paired[0], student.errors)
    expected = heatmap_error(student.outputs.detach(), targets.heatmaps,
                             targets.keypoint_weights * mask)
    assert torch.allclose(paired[1, :2], expected[:2])
    assert not torch.allclose(paired[1, :2], student.errors[:2])
    # no shared visible keypoint: no comparison, the mentor is inactive there
    assert torch.isnan(paired[1, 2]) and torch.isnan(evidence.mentor_errors[1, 2])
    upper = evidence.mentors[1]
    assert torch.allclose(upper.coverage, torch.tensor([11 / 17, 11 / 17, 0.]))
    plan = model.policy(evidence)
    assert not plan.active[1, 2]
