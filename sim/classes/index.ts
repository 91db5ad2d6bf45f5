/** Loading this module registers every class's behaviour. */
import "./session";
import "./host";
import "./sr";
import "./pbd";
import "./event";
