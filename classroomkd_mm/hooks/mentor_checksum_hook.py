"""Record each mentor's sha256 in every checkpoint, and refuse a resume whose
mentors changed since."""
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from classroomkd_mm.registry import HOOKS

META_KEY = 'mentor_sha256'


def _classroom(runner):
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    return getattr(model, 'classroom', None)


@HOOKS.register_module()
class MentorChecksumHook(Hook):
    """Write ``meta['mentor_sha256'] = {name: dict(checkpoint=..., sha256=
    ...)}`` (:meth:`Classroom.checksums`) into every checkpoint. The
    checkpoint holds no mentor weights: at ``--resume`` each mentor is
    rebuilt from its own config and checkpoint, and a mentor whose sha256
    differs from the recorded one (its file was replaced, or the config
    names another) stops the run with an error naming the mentor and the
    file, since the resumed run would not continue the one that was
    saved. ``load_from`` (a new run starting from the weights) is not
    checked."""

    priority = 'VERY_HIGH'

    def before_save_checkpoint(self, runner, checkpoint: dict):
        classroom = _classroom(runner)
        if classroom is not None and len(classroom):
            checkpoint.setdefault('meta', {})[META_KEY] = \
                classroom.checksums()

    def after_load_checkpoint(self, runner, checkpoint: dict):
        classroom = _classroom(runner)
        saved = (checkpoint.get('meta') or {}).get(META_KEY)
        if not getattr(runner, '_resume', False) or classroom is None \
                or not saved:
            return
        now = classroom.checksums()
        for name, record in saved.items():
            if name not in now:
                raise ValueError(
                    f'Resume: the checkpoint was saved with mentor {name!r} '
                    f'({record.get("checkpoint")}), which the config no '
                    f'longer has (mentors: {sorted(now)}). Resume with the '
                    'config that wrote the checkpoint, or start a new run '
                    '(load_from) to change the classroom.')
            if now[name]['sha256'] != record.get('sha256'):
                raise ValueError(
                    f'Resume: mentor {name!r} changed since the checkpoint '
                    f'was saved: {now[name]["checkpoint"]} has sha256 '
                    f'{now[name]["sha256"][:12]}..., the checkpoint '
                    f'recorded {str(record.get("sha256"))[:12]}... for '
                    f'{record.get("checkpoint")}. Restore that mentor file, '
                    'or start a new run (load_from) with the new mentor.')
        added = sorted(set(now) - set(saved))
        if added:
            raise ValueError(
                f'Resume: mentor(s) {added} are not in the checkpoint '
                f'(it was saved with {sorted(saved)}). Resume with the '
                'config that wrote it, or start a new run (load_from).')
