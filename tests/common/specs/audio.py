from strata import layers
from strata.testing import LayerSpec

SPECS = [
    LayerSpec(
        layers.STFTSpectrogram,
        {"mode": "log", "frame_length": 8, "frame_step": 4},
        (2, 32, 2),
        (2, 7, 10),
        expected_trainable=2,
    ),
    LayerSpec(
        layers.STFTSpectrogram,
        {"mode": "real", "frame_length": 8, "data_format": "channels_first", "expand_dims": True},
        (2, 2, 32),
        (2, 2, 7, 5),
        expected_trainable=1,
        id="STFTSpectrogram-real-channels-first",
    ),
    LayerSpec(
        layers.MelSpectrogram,
        {"fft_length": 32, "sequence_stride": 8, "num_mel_bins": 6, "sampling_rate": 4000},
        (2, 64),
        (2, 6, 9),
        expected_trainable=0,
        trains=False,
    ),
]
