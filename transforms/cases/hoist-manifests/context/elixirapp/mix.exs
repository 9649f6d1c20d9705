defmodule M.MixProject do end
