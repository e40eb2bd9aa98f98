"""Checks of the arguments every strata optimizer takes (Keras's base optimizer arguments)."""


def check_base_arguments(
    clipnorm, clipvalue, global_clipnorm, weight_decay,
    use_ema, ema_momentum, ema_overwrite_frequency, gradient_accumulation_steps,
):  # fmt: skip
    """Raise a ValueError for base optimizer arguments Keras would refuse."""
    given = {
        key: value
        for key, value in (
            ("clipnorm", clipnorm),
            ("clipvalue", clipvalue),
            ("global_clipnorm", global_clipnorm),
        )
        if value is not None
    }
    if len(given) > 1:
        raise ValueError(
            "Only one of clipnorm, clipvalue and global_clipnorm can be set; received "
            + ", ".join(f"{key}={value}" for key, value in given.items())
            + "."
        )
    for key, value in {**given, "weight_decay": weight_decay}.items():
        if value is not None and (not isinstance(value, (int, float)) or value < 0):
            raise ValueError(f"{key} expected a non-negative number; received {value!r}.")
    if gradient_accumulation_steps is not None and (
        not isinstance(gradient_accumulation_steps, int) or gradient_accumulation_steps < 2
    ):
        raise ValueError(
            "gradient_accumulation_steps expected an integer >= 2 or None; received "
            f"{gradient_accumulation_steps!r}."
        )
    if use_ema:
        if not 0 <= ema_momentum <= 1:
            raise ValueError(f"ema_momentum expected a float in [0, 1]; received {ema_momentum!r}.")
        if ema_overwrite_frequency is not None and (
            not isinstance(ema_overwrite_frequency, int) or ema_overwrite_frequency < 1
        ):
            raise ValueError(
                "ema_overwrite_frequency expected an integer >= 1 or None; received "
                f"{ema_overwrite_frequency!r}."
            )
