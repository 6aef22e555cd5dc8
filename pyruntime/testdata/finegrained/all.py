import calls
import later
import quiet
import reads
import star
