from .safe_checkpoint import (CHECKPOINT_SAFE_GLOBALS, UnsafeCheckpointError,
                              register_safe_checkpoint_loaders,
                              torch_load_safely)

__all__ = ['CHECKPOINT_SAFE_GLOBALS', 'UnsafeCheckpointError',
           'register_safe_checkpoint_loaders', 'torch_load_safely']
