# Warnings for our own targets only, never forced on consumers.
function(tickwheel_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow
    -Wnon-virtual-dtor -Woverloaded-virtual -Wimplicit-fallthrough -Wcast-qual -Wold-style-cast
    -Wnull-dereference)
endfunction()
