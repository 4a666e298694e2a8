"""The stdout and stderr of a grader's kernel: ipykernel's, paced.

ipykernel's OutStream buffers what a cell prints and sends it from its IO thread every 0.2 s.
A print loop fills that buffer far faster: about a gigabyte per interval on a 2-core VM. The
kernel then runs out of memory (a MemoryError in the student's cell or in the IO thread, a
torn message, or a kernel slowed past its timeouts) before the grader's output limit has
seen a byte, and the same flood ends differently from run to run. Paced, every PACE
characters a write waits until the IO thread has sent what the stream holds, as a write to
a full pipe would: a flood reaches the grader in messages of about PACE, the output limit
stops it after a few, and the kernel never holds much more than PACE.

A kernel that prints less than PACE in all (every lesson and answer of the course) sends
exactly what it would unpaced. Past that, a wait may split one stream message in two, as
ipykernel's own timing does anyway.
"""

from ipykernel.iostream import OutStream

PACE = 1 << 20  # characters written between two waits for a send


class PacedStream(OutStream):
    """An OutStream whose write waits for a send every PACE characters."""

    unsent = 0  # at most: what was written since the last wait

    def write(self, string):
        written = super().write(string)
        self.unsent += len(string)
        if self.unsent > PACE:
            self.unsent = 0
            self.flush()  # from another thread: schedules the send, waits for it (10 s at most)
        return written
