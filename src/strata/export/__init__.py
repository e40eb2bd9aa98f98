"""Export for serving: ONNX (through `torch.onnx`, run with onnxruntime) and `torch.export`.

`model.export(path, format="onnx")` is the entry point; `export_model` is the same as a function.
"""

from strata.export.export_lib import SUPPORTED_FORMATS, export_model

__all__ = ["SUPPORTED_FORMATS", "export_model"]
