"""Mentors given as model files (ONNX, TFLite, TorchScript)."""
from .file_mentor import (FileMentor, InputDeclaration, OutputDeclaration,
                          is_file_mentor)
from .model_files import ModelFile, ModelFileError
from .presets import PRESETS

__all__ = ['FileMentor', 'InputDeclaration', 'ModelFile', 'ModelFileError',
           'OutputDeclaration', 'PRESETS', 'is_file_mentor']
