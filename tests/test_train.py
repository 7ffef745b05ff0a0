import pytest
import torch
from torch import nn

from pytorch_lessons import set_seed
from pytorch_lessons.train import History, TrainingDiverged, batches, evaluate, fit


def _blobs(n: int = 200) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    y = torch.randint(0, 2, (n,), generator=generator)
    x = torch.randn(n, 2, generator=generator) + 3 * y.unsqueeze(1).float()
    return x, y


def test_fit_reduces_the_loss_and_records_history():
    set_seed(0)
    x, y = _blobs()
    model = nn.Linear(2, 2)
    history = fit(model, (x, y), epochs=5, lr=0.5, valid_data=(x, y), progress=False)
    assert isinstance(history, History) and history.epochs == 5
    assert history.train_loss[-1] < history.train_loss[0] / 2
    assert len(history.valid_loss) == len(history.valid_accuracy) == 5
    assert len(history.step_loss) == 5 * 4  # 200 samples in batches of 64
    assert history.valid_accuracy[-1] > 0.9


def test_fit_accepts_a_dataloader_a_custom_optimizer_scheduler_and_callback():
    set_seed(0)
    x, y = _blobs()
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=50)
    model = nn.Linear(2, 2)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.9)
    seen = []
    history = fit(
        model,
        loader,
        epochs=3,
        optimizer=optimizer,
        scheduler=scheduler,
        on_epoch_end=lambda h: seen.append(h.epochs),
        progress=True,
    )
    assert seen == [1, 2, 3]
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05 * 0.9**12)
    assert history.train_loss[-1] < history.train_loss[0]


def test_fit_on_regression_has_no_accuracy():
    x = torch.linspace(-1, 1, 32).unsqueeze(1)
    model = nn.Linear(1, 1)
    history = fit(
        model, (x, 3 * x), epochs=2, loss_fn=nn.MSELoss(), valid_data=(x, 3 * x), progress=False
    )
    assert history.valid_accuracy == [] and len(history.valid_loss) == 2


def test_fit_stops_on_divergence_with_a_pointer_to_the_learning_rate():
    x = torch.linspace(-10, 10, 64).unsqueeze(1)
    with pytest.raises(TrainingDiverged, match="learning rate is probably too large"):
        fit(nn.Linear(1, 1), (x, 5 * x), epochs=50, lr=10.0, loss_fn=nn.MSELoss(), progress=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"epochs": 0}, "epochs must be a positive int"),
        ({"epochs": 2.0}, "epochs must be a positive int"),
        ({"epochs": 1, "lr": 0}, "lr must be a finite number > 0"),
        ({"epochs": 1, "lr": -0.1}, "lr must be a finite number > 0"),
        ({"epochs": 1, "lr": float("nan")}, "lr must be a finite number > 0"),
        ({"epochs": 1, "batch_size": 0}, "batch_size must be a positive int"),
    ],
)
def test_fit_rejects_bad_settings(kwargs, message):
    x, y = _blobs(10)
    with pytest.raises(ValueError, match=message):
        fit(nn.Linear(2, 2), (x, y), progress=False, **kwargs)


def test_fit_rejects_empty_data():
    with pytest.raises(ValueError, match="cannot train on empty data"):
        fit(
            nn.Linear(2, 2),
            (torch.zeros(0, 2), torch.zeros(0, dtype=torch.int64)),
            epochs=1,
            progress=False,
        )


def test_fit_rejects_bad_data_and_model_types():
    with pytest.raises(TypeError, match="data must be a DataLoader"):
        fit(nn.Linear(2, 2), torch.zeros(3, 2), epochs=1, progress=False)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        fit("model", _blobs(4), epochs=1, progress=False)


def test_model_output_that_does_not_fit_the_loss_is_explained():
    x, y = _blobs(8)
    with pytest.raises(
        ValueError, match=r"output of shape \(8, 3\) does not fit targets of shape \(8,\)"
    ):
        evaluate(nn.Linear(2, 3), (x, y.float()))


def test_evaluate_restores_training_mode_and_computes_accuracy():
    model = nn.Sequential(nn.Linear(2, 2))
    model.train()
    x = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    with torch.no_grad():
        model[0].weight.copy_(torch.eye(2))
        model[0].bias.zero_()
    result = evaluate(model, (x, torch.tensor([0, 0])))
    assert result["accuracy"] == 0.5 and model.training


def test_evaluate_rejects_empty_data():
    with pytest.raises(ValueError, match="cannot evaluate on empty data"):
        evaluate(nn.Linear(2, 2), [])


def test_batches_cover_every_sample_once_and_shuffle_repeatably():
    x, y = torch.arange(10).unsqueeze(1), torch.arange(10)
    plain = [yb.tolist() for _, yb in batches(x, y, 4)]
    assert plain == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    shuffled = [v for _, yb in batches(x, y, 4, shuffle=True, seed=1) for v in yb.tolist()]
    assert sorted(shuffled) == list(range(10)) and shuffled != list(range(10))
    assert shuffled == [v for _, yb in batches(x, y, 4, shuffle=True, seed=1) for v in yb.tolist()]
    with pytest.raises(ValueError, match="same length"):
        list(batches(x, y[:5], 2))
