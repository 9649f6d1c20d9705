from setuptools import Extension, setup

setup(
    packages=["greet"],
    ext_modules=[Extension("greet._fast", ["greet/_fast.c"])],
)
