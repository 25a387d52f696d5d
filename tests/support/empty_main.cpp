// The headers_compile_alone test passes when it links: each header was compiled in its own translation unit.
int main() { return 0; }
