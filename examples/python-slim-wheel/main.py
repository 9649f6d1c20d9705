"""Loads its settings with PyYAML's C loader, built from source."""
import yaml

doc = yaml.load("workers: 4\nqueues: [mail, thumbs]\n", Loader=yaml.CSafeLoader)
print("libyaml", yaml.__with_libyaml__, doc)
