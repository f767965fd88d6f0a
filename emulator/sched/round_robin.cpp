#include "sched/round_robin.hpp"

// Everything round-robin needs is in the header: it is FCFS with a slice.
