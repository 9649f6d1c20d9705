require("ms")
