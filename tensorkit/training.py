"""Training: compile, fit (with validation), evaluate, predict. (Skeleton: being written.)"""


class Trainer:
    """The Keras training API, mixed into Model."""

    def compile(self, optimizer="rmsprop", loss=None, metrics=None):
        raise NotImplementedError("training is being written")
