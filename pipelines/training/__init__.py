"""Retraining the urgency model: dataset assembly, training, evaluation, promotion, reports."""
