from setuptools import find_packages, setup

REQUIRED = [
    "numpy>=1.16",
    'tensorflow_hub>=0.7; python_version >= "3"',
]

setup(
    name="sentence-tools",
    packages=find_packages(),
    install_requires=REQUIRED,
    extras_require={"images": ["tensorflow-hub[make_image_classifier]"]},
)
