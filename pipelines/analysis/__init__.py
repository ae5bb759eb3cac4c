"""Feedback analysis: the result contract and the offline analyzer."""
